package dev.unipool.internal;

import dev.unipool.Backend;
import dev.unipool.PoolOptions;
import dev.unipool.spi.AbstractPool;
import dev.unipool.spi.TaskRun;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs each task in the submitting thread. Terminated once shut down and no submit is still running.
 *
 * <p>It keeps no in-flight count of its own: the pool's task counters are one (a task is counted submitted
 * and started in one add before it runs, finished before {@code submit} returns), so the hot path pays for
 * counting once. A submit that races with {@code shutdown} either sees the shutdown and is rejected, or is
 * seen by whoever checks the counters after setting the flag (both sides write, then read, volatile state).
 */
final class InlinePool extends AbstractPool {
  /** A rejected submit uncounts itself without signalling; waiters re-check this often for it. */
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private volatile boolean shutdown;

  InlinePool(Backend backend, PoolOptions options) {
    super(backend, options, true);
    sharedWorkers("calling threads", true); // tasks run in whichever thread submits them
  }

  @Override
  protected void dispatch(TaskRun<?> run) {
    run.runBeforePublished(); // dispatch runs inside submit, before the future is returned
    ranInSubmit();
  }

  @Override
  protected void ranInSubmit() {
    if (shutdown) {
      signal();
    }
  }

  private void signal() {
    lock.lock();
    try {
      idle.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected void shutdownBackend() {
    shutdown = true;
    signal();
  }

  @Override
  protected List<TaskRun<?>> shutdownBackendNow() {
    return List.of(); // nothing ever waits: tasks run inside submit
  }

  @Override
  protected boolean awaitBackend(long nanos) throws InterruptedException {
    lock.lock();
    try {
      long left = nanos;
      while (!backendTerminated()) {
        if (left <= 0) {
          return false;
        }
        long waited = Math.min(left, RECHECK_NANOS);
        left -= waited - idle.awaitNanos(waited);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected boolean backendTerminated() {
    return shutdown && noTaskInFlight();
  }

  @Override
  public int parallelism() {
    return 1;
  }
}
