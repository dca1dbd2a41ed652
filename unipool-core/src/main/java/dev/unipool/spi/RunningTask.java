package dev.unipool.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * The thread running one task, interruptible only while that task runs: the hand-off
 * {@link java.util.concurrent.FutureTask} uses, written once for every place a task runs (a local
 * {@link TaskRun#run()}, a worker JVM's task loop, a cluster member's executor thread). The runner clears
 * the slot when the task ends, waits out an interrupt in progress and then clears the thread's interrupt
 * flag, so a cancel never lands in the next task the same thread runs.
 *
 * <p>Threading: created and {@link #finish finished} by the running thread; {@link #interrupt} may be
 * called from any thread, any number of times.
 */
public final class RunningTask {
  /** Held in a runner slot while a canceller interrupts the thread it held. */
  private static final Object INTERRUPTING = new Object();
  private static final VarHandle RUNNER;

  static {
    try {
      RUNNER = MethodHandles.lookup().findVarHandle(RunningTask.class, "runner", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // accessed through RUNNER
  private volatile @Nullable Object runner = Thread.currentThread();

  /** Registers the calling thread as the one running the task. */
  public RunningTask() {}

  /** Interrupts the running thread, unless the task has finished; never the thread's next task. */
  public void interrupt() {
    interrupt(RUNNER, this);
  }

  /**
   * Ends the task on the running thread: later interrupts do nothing, and one that raced with the end
   * is cleared from the thread. Call once, from the thread that created this.
   */
  public void finish() {
    finish(RUNNER, this);
  }

  // The hand-off on a slot that a holder keeps in a field of its own: TaskRun keeps its runner in itself,
  // so that a local task allocates no second object for it. The slot holds the running Thread, null when
  // no thread may be interrupted, or INTERRUPTING.

  /** Interrupts the thread in {@code holder}'s slot if it still holds one. */
  static void interrupt(VarHandle slot, Object holder) {
    Object r = slot.getVolatile(holder);
    if (r instanceof Thread t && slot.compareAndSet(holder, r, INTERRUPTING)) {
      try {
        t.interrupt();
      } finally {
        slot.setVolatile(holder, null);
      }
    }
  }

  /** Empties {@code holder}'s slot on its running thread; an interrupt that raced is waited out and cleared. */
  static void finish(VarHandle slot, Object holder) {
    if (!slot.compareAndSet(holder, Thread.currentThread(), null)) {
      // A canceller is interrupting us, or has: wait for it, then clear the flag.
      while (slot.getVolatile(holder) == INTERRUPTING) {
        Thread.onSpinWait();
      }
      Thread.interrupted();
    }
  }
}
