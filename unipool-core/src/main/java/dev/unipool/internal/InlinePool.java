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
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private int active;
  private boolean shutdown;

  InlinePool(Backend backend, PoolOptions options) {
    super(backend, options);
  }

  @Override
  protected void dispatch(TaskRun<?> run) {
    lock.lock();
    try {
      active++;
    } finally {
      lock.unlock();
    }
    try {
      run.run();
    } finally {
      lock.lock();
      try {
        if (--active == 0) {
          idle.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  protected void shutdownBackend() {
    lock.lock();
    try {
      shutdown = true;
      idle.signalAll();
    } finally {
      lock.unlock();
    }
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
      while (!(shutdown && active == 0)) {
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
    lock.lock();
    try {
      return shutdown && active == 0;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int parallelism() {
    return 1;
  }
}
