package dev.unipool.remote;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The thread running one task on a worker, interruptible only while that task runs: the hand-off
 * {@link java.util.concurrent.FutureTask} uses. The runner clears the slot when the task ends, waits out
 * an interrupt in progress and then clears the thread's interrupt flag, so a cancel never lands in the
 * next task the same thread runs.
 *
 * <p>Threading: created and {@link #finish finished} by the running thread; {@link #interrupt} may be
 * called from any thread, any number of times.
 */
public final class RunningTask {
  private static final Object INTERRUPTING = new Object();
  private static final Object DONE = new Object();
  private final AtomicReference<Object> runner = new AtomicReference<>(Thread.currentThread());

  /** Registers the calling thread as the one running the task. */
  public RunningTask() {}

  /** Interrupts the running thread, unless the task has finished; never the thread's next task. */
  public void interrupt() {
    Object r = runner.get();
    if (r instanceof Thread t && runner.compareAndSet(t, INTERRUPTING)) {
      try {
        t.interrupt();
      } finally {
        runner.set(DONE);
      }
    }
  }

  /**
   * Ends the task on the running thread: later interrupts do nothing, and one that raced with the end
   * is cleared from the thread. Call once, from the thread that created this.
   */
  public void finish() {
    if (!runner.compareAndSet(Thread.currentThread(), DONE)) {
      // A cancel is interrupting us, or has: wait for it, then clear the flag.
      while (runner.get() == INTERRUPTING) {
        Thread.onSpinWait();
      }
      Thread.interrupted();
    }
  }
}
