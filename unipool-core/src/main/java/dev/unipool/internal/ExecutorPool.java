package dev.unipool.internal;

import dev.unipool.Backend;
import dev.unipool.PoolOptions;
import dev.unipool.spi.AbstractPool;
import dev.unipool.spi.TaskRun;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The platform-thread and virtual-thread backends: a thin layer over the JDK executor they are named
 * after, so their overhead is the JDK's plus one future and one queue-slot check.
 */
final class ExecutorPool extends AbstractPool {
  private static final AtomicInteger IDS = new AtomicInteger();
  /** Idle platform threads end after this, so an idle pool nobody shut down holds no threads. */
  private static final long KEEP_ALIVE_SECONDS = 30;

  private final ExecutorService executor;

  private ExecutorPool(Backend backend, PoolOptions options, ExecutorService executor) {
    super(backend, options);
    this.executor = executor;
  }

  static ExecutorPool threads(Backend.Threads backend, PoolOptions options) {
    int id = IDS.incrementAndGet();
    // Daemon threads, as Backend.threads documents: a pool nobody closed must not keep the JVM alive
    // (it did, for the 30 s keep-alive after its last task, with the JDK's default non-daemon threads).
    ThreadFactory factory =
        Thread.ofPlatform().daemon().name(options.name() + "-" + id + "-worker-", 1).factory();
    ThreadPoolExecutor tpe = new ThreadPoolExecutor(
        backend.threads(), backend.threads(), KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), factory);
    tpe.allowCoreThreadTimeOut(true);
    return new ExecutorPool(backend, options, tpe);
  }

  static ExecutorPool virtual(Backend.Virtual backend, PoolOptions options) {
    // Unnamed: naming every virtual thread costs more than the task itself (Worker.current() reports
    // "virtual-<id>" instead).
    return new ExecutorPool(backend, options, Executors.newThreadPerTaskExecutor(Thread.ofVirtual().factory()));
  }

  @Override
  protected void dispatch(TaskRun<?> run) {
    executor.execute(run);
  }

  @Override
  protected void shutdownBackend() {
    executor.shutdown();
  }

  @Override
  protected List<TaskRun<?>> shutdownBackendNow() {
    List<TaskRun<?>> never = new ArrayList<>();
    for (Runnable r : executor.shutdownNow()) {
      never.add((TaskRun<?>) r);
    }
    return never;
  }

  @Override
  protected boolean awaitBackend(long nanos) throws InterruptedException {
    return executor.awaitTermination(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  protected boolean backendTerminated() {
    return executor.isTerminated();
  }
}
