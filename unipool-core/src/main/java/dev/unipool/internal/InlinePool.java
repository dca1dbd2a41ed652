package dev.unipool.internal;

import dev.unipool.Backend;
import dev.unipool.PoolOptions;
import dev.unipool.spi.AbstractPool;
import dev.unipool.spi.TaskRun;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Runs each task in the submitting thread. Terminated once shut down and no submit is still running. */
final class InlinePool extends AbstractPool {
  // The hot path touches only the counter; the lock is for waiters on termination.
  private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private volatile boolean shutdown;

  InlinePool(Backend backend, PoolOptions options) {
    super(backend, options);
    sharedWorkers("calling threads", true); // tasks run in whichever thread submits them
  }

  @Override
  protected void dispatch(TaskRun<?> run) {
    active.incrementAndGet();
    try {
      run.run();
    } finally {
      if (active.decrementAndGet() == 0 && shutdown) {
        signal();
      }
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
      while (!(shutdown && active.get() == 0)) {
        if (left <= 0) {
          return false;
        }
        left = idle.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected boolean backendTerminated() {
    return shutdown && active.get() == 0;
  }

  @Override
  public int parallelism() {
    return 1;
  }
}
