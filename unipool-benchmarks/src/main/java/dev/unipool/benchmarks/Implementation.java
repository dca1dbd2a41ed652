package dev.unipool.benchmarks;

import dev.unipool.Backend;
import dev.unipool.Pool;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What the benchmarks compare: each unipool in-process backend next to the raw JDK executor it wraps.
 * Names pair up as {@code JDK_X} / {@code UNIPOOL_X}; {@link #DIRECT_CALL} is the no-executor floor.
 */
public enum Implementation {
  /** No executor: the benchmark calls the task itself. The floor under both inline variants. */
  DIRECT_CALL {
    @Override
    public ExecutorService open(int threads) {
      return new CallerRunsExecutorService();
    }

    @Override
    public boolean direct() {
      return true;
    }
  },
  /** The JDK's own plumbing run in the caller: {@code AbstractExecutorService} (a {@code FutureTask}) with {@code execute = run}. */
  JDK_INLINE {
    @Override
    public ExecutorService open(int threads) {
      return new CallerRunsExecutorService();
    }
  },
  /** {@code Pool.of(Backend.inline())}. */
  UNIPOOL_INLINE {
    @Override
    public ExecutorService open(int threads) {
      return Pool.of(Backend.inline());
    }
  },
  /** {@code Executors.newFixedThreadPool(threads)}. */
  JDK_FIXED {
    @Override
    public ExecutorService open(int threads) {
      return Executors.newFixedThreadPool(threads);
    }
  },
  /** {@code Pool.of(Backend.threads(threads))}, which wraps a fixed {@code ThreadPoolExecutor}. */
  UNIPOOL_THREADS {
    @Override
    public ExecutorService open(int threads) {
      return Pool.of(Backend.threads(threads));
    }
  },
  /** {@code Executors.newVirtualThreadPerTaskExecutor()}. */
  JDK_VIRTUAL {
    @Override
    public ExecutorService open(int threads) {
      return Executors.newVirtualThreadPerTaskExecutor();
    }
  },
  /** {@code Pool.of(Backend.virtual())}, which wraps a thread-per-task executor of virtual threads. */
  UNIPOOL_VIRTUAL {
    @Override
    public ExecutorService open(int threads) {
      return Pool.of(Backend.virtual());
    }
  };

  /**
   * Opens a fresh executor of this kind; the caller closes it.
   *
   * @param threads the pool size, used by the fixed-size kinds only
   * @return the executor
   */
  public abstract ExecutorService open(int threads);

  /**
   * Whether the benchmark should call the task directly instead of submitting it.
   *
   * @return true for {@link #DIRECT_CALL} only
   */
  public boolean direct() {
    return false;
  }

  /** The smallest JDK executor that runs tasks inline: submit wraps in a {@code FutureTask} and runs it. */
  private static final class CallerRunsExecutorService extends AbstractExecutorService {
    private volatile boolean shutdown;

    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return shutdown;
    }
  }
}
