package dev.unipool.spi;

import dev.unipool.Backend;
import dev.unipool.Futures;
import dev.unipool.MapOptions;
import dev.unipool.Overflow;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.PoolStats;
import dev.unipool.SerializableBiFunction;
import dev.unipool.SerializableFunction;
import dev.unipool.TaskFuture;
import dev.unipool.TaskOptions;
import dev.unipool.WorkerStats;
import dev.unipool.internal.PoolMBeans;
import dev.unipool.internal.SharedTimer;
import dev.unipool.internal.TaskAdapters;
import dev.unipool.internal.jfr.Jfr;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The machinery every backend shares: argument checks, the bounded queue, lifecycle state, timeouts,
 * {@code invokeAll}/{@code invokeAny} and the map family. A backend supplies only how a {@link TaskRun}
 * reaches a worker and how its workers stop.
 *
 * <p>Subclasses must be thread-safe: {@link #dispatch} is called concurrently by submitting threads.
 */
public abstract class AbstractPool implements Pool {
  /**
   * One timer thread for all pools, backends and task groups ({@link SharedTimer}): what runs on it
   * (timeouts, kill deadlines, re-probes) only completes futures, signals or sends, and never blocks.
   */
  protected static final ScheduledThreadPoolExecutor TIMER = SharedTimer.TIMER;

  /**
   * Where backends complete tasks whose completion may run user callbacks, away from their I/O threads
   * (see {@link TaskRun#hasDependentStages()}). A virtual thread each: callbacks may block on other tasks'
   * results, and a fixed pool of threads could wait for completions queued behind themselves.
   */
  protected static final java.util.concurrent.ExecutorService COMPLETIONS =
      java.util.concurrent.Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("unipool-completion-", 1).factory());

  private static final int RUNNING = 0;
  private static final int SHUTDOWN = 1;
  private static final int STOP = 2;

  private final Backend backend;
  private final PoolOptions options;
  private final AtomicInteger state = new AtomicInteger(RUNNING);
  private final @Nullable QueueSlots queueSlots;
  /** In-process workers for {@link #stats()}, updated by {@link TaskRun#run()} and metered threads. */
  final LocalWorkers local = new LocalWorkers(this);
  /** Task counters for {@link #stats()}, updated by {@link TaskRun}. */
  final PoolCounters counters = new PoolCounters(local);
  /**
   * Whether every task runs to its end inside {@code submit} (see the constructor): such a task is counted as
   * submitted and started in one step, and nobody can ever wait for it.
   */
  final boolean runsTasksInSubmit;
  /**
   * Whether plain tasks may take {@link TaskRun#runInSubmit}: they run inside {@code submit}, and nothing the
   * pool sets needs a {@code TaskRun} (no timeout, no retries, no queue bound; timings are checked per call).
   */
  private final boolean plainTasksRunInSubmit;

  /**
   * Creates the shared part of a pool.
   *
   * @param backend the backend configuration
   * @param options the pool options
   */
  protected AbstractPool(Backend backend, PoolOptions options) {
    this(backend, options, false);
  }

  /**
   * Creates the pool state.
   *
   * @param backend the backend this pool implements
   * @param options the pool options
   * @param startsTasksInSubmit true if {@link #dispatch} always runs the task to its end in the submitting
   *     thread with {@link TaskRun#runBeforePublished()} (the inline backend): a task is then counted as
   *     submitted and started in one step
   */
  @SuppressWarnings("this-escape") // LocalWorkers only keeps the reference; nothing calls back while constructing
  protected AbstractPool(Backend backend, PoolOptions options, boolean startsTasksInSubmit) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.options = Objects.requireNonNull(options, "options");
    this.queueSlots = options.queueCapacity() > 0 ? new QueueSlots(options.queueCapacity()) : null;
    this.runsTasksInSubmit = startsTasksInSubmit;
    this.plainTasksRunInSubmit = startsTasksInSubmit && queueSlots == null && options.taskTimeout() == null
        && options.retries() == 0;
  }

  // ---- what a backend provides ----

  /**
   * Hands an accepted task to the backend: the one call from this class to the backend on the way out.
   * Called on the submitting thread; must not block for long. The backend does here whatever it needs in
   * the caller's thread (a remote backend encodes the task, so that a task it cannot send fails at the
   * call) and keeps its own per-task state itself, typed; a backend that stops a task elsewhere than on a
   * local thread registers how with {@link TaskRun#stopWith}. It must eventually start and complete the
   * task, or drop it if {@link TaskRun#start} says it is already done.
   *
   * <p>A {@code RuntimeException} thrown here rejects the task: it is completed with that exception,
   * uncounted, its queue slot freed, and the exception is rethrown from {@code submit}.
   *
   * @param run the task
   * @throws RejectedExecutionException if the backend has stopped accepting tasks
   * @throws IllegalArgumentException if the task cannot run on this backend, saying why and how to fix it
   */
  protected abstract void dispatch(TaskRun<?> run);

  /**
   * Called on the submitting thread after a plain task ran to its end inside {@code submit} without a
   * {@link TaskRun} (pools whose {@link #dispatch} runs every task before it returns; see the constructor),
   * where {@link #dispatch} would have been called; the task is counted as finished. The default does
   * nothing; a backend that waits for its in-flight tasks to end (e.g. for termination) wakes the waiters.
   */
  protected void ranInSubmit() {}

  /** Stops accepting tasks; queued and running tasks still finish. Called once. */
  protected abstract void shutdownBackend();

  /**
   * Stops at once: removes tasks that have not started and interrupts running ones. Called once, after
   * {@link #shutdownBackend()}.
   *
   * @return the tasks removed before they started; this class cancels them
   */
  protected abstract List<TaskRun<?>> shutdownBackendNow();

  /**
   * Waits until every worker has stopped after shutdown.
   *
   * @param nanos the most to wait, zero or more (possibly {@link Long#MAX_VALUE})
   * @return true if terminated
   * @throws InterruptedException if interrupted while waiting
   */
  protected abstract boolean awaitBackend(long nanos) throws InterruptedException;

  /**
   * Whether every worker has stopped after shutdown.
   *
   * @return true if terminated
   */
  protected abstract boolean backendTerminated();

  /**
   * Stops a task that is running and was just cancelled or timed out. The default stops it where it runs:
   * through what the backend registered with {@link TaskRun#stopWith}, else by interrupting the local
   * thread running it when {@code interrupt} is true.
   *
   * @param run the task, already completed
   * @param interrupt whether the caller asked to interrupt
   */
  protected void cancelRunning(TaskRun<?> run, boolean interrupt) {
    run.stopRunning(interrupt);
  }

  /**
   * The number of tasks the backend runs at once, used to size map chunks and windows.
   *
   * @return at least 1
   */
  public int parallelism() {
    return backend.parallelism();
  }

  // ---- statistics ----

  /**
   * A factory of platform threads that count as this pool's workers in {@link #stats()}: one entry per
   * thread slot, with the tasks it ran and its busy and idle time. Pair it with {@link #workerQueue()} so
   * that idle time is measured (only when a thread waits for work: a thread that runs tasks back to back
   * reads no clock).
   *
   * @param namePrefix thread names are this followed by 1, 2, ...
   * @param daemon whether the threads are daemon threads
   * @return a thread factory
   */
  protected final ThreadFactory workerThreads(String namePrefix, boolean daemon) {
    return local.threadFactory(namePrefix, daemon);
  }

  /**
   * An unbounded FIFO work queue for an executor whose threads come from {@link #workerThreads}: it records
   * how long each of them waits for work.
   *
   * @return a new queue
   */
  protected final BlockingQueue<Runnable> workerQueue() {
    return new LocalWorkers.MeteredQueue();
  }

  /**
   * Names the one {@link WorkerStats} entry that stands for tasks run by {@link TaskRun#run()} on threads
   * not made by {@link #workerThreads} (virtual threads, the callers of an inline pool). Without a name,
   * such tasks are counted in the pool's totals only.
   *
   * @param name the entry's name, e.g. {@code virtual threads}
   * @param onlyWorkers true if every task of the pool runs on such threads: the entry then reuses the
   *     pool's own counters instead of counting again (cheaper per task)
   */
  protected final void sharedWorkers(String name, boolean onlyWorkers) {
    local.shareAs(name, onlyWorkers);
  }

  /**
   * Whether every task counted by {@link #stats()} has finished: for backends that keep no in-flight count
   * of their own. Reads every counter stripe; not for a hot path.
   *
   * @return true if no task is queued or running
   */
  protected final boolean noTaskInFlight() {
    return counters.idle();
  }

  /** Counters for the statistics of tasks that {@link TaskRun} does not see itself. */
  final PoolCounters counters() {
    return counters;
  }

  /**
   * This pool's workers for {@link #stats()}. The default lists the in-process workers (see
   * {@link #workerThreads} and {@link #sharedWorkers}); backends whose workers live elsewhere override it,
   * typically with a {@link WorkerMeter} per worker.
   *
   * @return the workers, in a stable order; must not block for long
   */
  protected List<WorkerStats> workerStats() {
    return local.stats();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reads a few counters and each worker's meter; never waits for a worker.
   */
  @Override
  public final PoolStats stats() {
    long[] c = counters.snapshot();
    return new PoolStats(options.name(), backend.toString(), c[0], c[1], c[2], c[3], c[4], c[5], workerStats());
  }

  // ---- Pool ----

  @Override
  public final Backend backend() {
    return backend;
  }

  @Override
  public final PoolOptions options() {
    return options;
  }

  @Override
  public <T> TaskFuture<T> submit(Callable<T> task) {
    return submit(task, TaskOptions.none());
  }

  @Override
  @SuppressWarnings("ReferenceEquality") // the shared none() instance is the fast path; an equal copy still works
  public <T> TaskFuture<T> submit(Callable<T> task, TaskOptions taskOptions) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(taskOptions, "options");
    if (plainTasksRunInSubmit && taskOptions == TaskOptions.none() && !recordsTimings() && !Jfr.initialized()) {
      return runInSubmit(task);
    }
    return submitChecked(task, taskOptions, true, false);
  }

  /**
   * The inline fast path: runs a plain task with no {@code TaskRun} (see {@link TaskRun#runInSubmit}). In JMH
   * it took an inline {@code submit} + {@code get} from 1.9x the JDK's caller-runs {@code FutureTask} to 0.9x.
   */
  private <T> TaskFuture<T> runInSubmit(Callable<T> task) {
    countStartInSubmit();
    DoneTask<T> done = TaskRun.runInSubmit(this, task, Thread.currentThread());
    ranInSubmit();
    return done;
  }

  /**
   * Whether tasks of this pool record timings; backends where a clock read is noise may always say yes.
   *
   * @return true to record timings for every task
   */
  protected boolean recordsTimings() {
    return options.timings();
  }

  /**
   * Submits a task, optionally bypassing the bounded queue (map chunks are bounded by their own window).
   * Package-private: only {@link MapEngine} needs the two switches.
   *
   * @param task the task
   * @param taskOptions per-task options
   * @param useQueueBound whether the task takes a queue slot
   * @param timed whether to record timings whatever the pool options say (map chunks size themselves by them)
   * @param <T> the result type
   * @return the task
   */
  final <T> TaskRun<T> submitChecked(
      Callable<T> task, TaskOptions taskOptions, boolean useQueueBound, boolean timed) {
    requireRunning();
    boolean permit = useQueueBound && acquirePermit();
    TaskRun<T> run = new TaskRun<>(this, task, settings(taskOptions, timed), permit);
    try {
      requireRunning();
      dispatch(run);
    } catch (RuntimeException e) {
      run.reject(e);
      throw e;
    }
    return run;
  }

  private TaskRun.@Nullable Settings plain;
  private TaskRun.@Nullable Settings plainTimed;

  /** The settings for these options; the common cases are computed once and shared. */
  @SuppressWarnings("ReferenceEquality") // the shared none() instance is the hot path; an equal copy still works
  private TaskRun.Settings settings(TaskOptions o, boolean forceTimed) {
    boolean timed = forceTimed || recordsTimings();
    if (o == TaskOptions.none()) {
      TaskRun.Settings s = timed ? plainTimed : plain;
      if (s == null) { // benign race: at worst two equal instances
        s = new TaskRun.Settings(options.taskTimeout(), options.retries(), null, null, timed);
        if (timed) {
          plainTimed = s;
        } else {
          plain = s;
        }
      }
      return s;
    }
    Duration timeout = o.timeout() != null ? o.timeout() : options.taskTimeout();
    int retries = o.retries() >= 0 ? o.retries() : options.retries();
    return new TaskRun.Settings(timeout, retries, o.hint(), o.kind(), timed);
  }

  private void requireRunning() {
    if (state.get() != RUNNING) {
      throw shutDown();
    }
  }

  /**
   * Counts a task that starts inside {@code submit} as submitted and started, then checks that the pool still
   * runs. In this order, because a shutdown sets the state before it reads the counters: either this submit
   * sees the shutdown, or the shutdown sees the task in flight and waits for it. (State first, a task could
   * start after {@code awaitTermination} had said the pool terminated: DoneTaskTest.)
   *
   * @throws RejectedExecutionException if the pool is shut down; the count is taken back (waiters re-check
   *     the counters on their own)
   */
  void countStartInSubmit() {
    counters.submittedAndStarted();
    if (state.get() != RUNNING) {
      counters.unsubmittedAndUnstarted();
      throw shutDown();
    }
  }

  /** What {@code submit} throws once the pool is shut down. */
  private RejectedExecutionException shutDown() {
    return new RejectedExecutionException("pool " + options.name() + " (" + backend + ") is shut down");
  }

  private boolean acquirePermit() {
    QueueSlots slots = queueSlots;
    if (slots == null) {
      return false;
    }
    if (options.overflow() == Overflow.REJECT) {
      if (!slots.tryAcquire()) {
        throw new RejectedExecutionException(
            "queue full: " + options.queueCapacity() + " tasks already wait to start (Overflow.REJECT)");
      }
      return true;
    }
    try {
      if (!slots.acquire()) { // woken by shutdown while the queue is full
        throw shutDown();
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RejectedExecutionException("interrupted while waiting for a queue slot", e);
    }
  }

  /** The bounded queue's slots held now (0 without a bound), for tests: a finished pool holds none. */
  int queueSlotsTaken() {
    QueueSlots slots = queueSlots;
    return slots == null ? 0 : slots.used();
  }

  void releasePermit() {
    QueueSlots slots = queueSlots;
    if (slots != null) {
      slots.release();
    }
  }

  @Override
  public TaskFuture<?> submit(Runnable task) {
    return submit(TaskAdapters.callable(Objects.requireNonNull(task, "task"), null), TaskOptions.none());
  }

  @Override
  public TaskFuture<?> submit(Runnable task, TaskOptions taskOptions) {
    return submit(TaskAdapters.callable(Objects.requireNonNull(task, "task"), null), taskOptions);
  }

  @Override
  public <T> TaskFuture<T> submit(Runnable task, T result) {
    return submit(TaskAdapters.callable(Objects.requireNonNull(task, "task"), result), TaskOptions.none());
  }

  @Override
  public void execute(Runnable task) {
    TaskFuture<?> f = submit(task);
    f.whenComplete((v, e) -> {
      if (e != null && !(e instanceof CancellationException)) {
        try {
          options.uncaughtHandler().accept(Futures.unwrap(e));
        } catch (RuntimeException handlerFailure) {
          PoolOptions.LOG_UNCAUGHT.accept(handlerFailure);
        }
      }
    });
  }

  // ---- map family ----

  @Override
  public <T, R> List<R> map(
      SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions mapOptions) {
    return MapEngine.list(this, fn, items, mapOptions);
  }

  @Override
  public <A, B, R> List<R> starmap(
      SerializableBiFunction<? super A, ? super B, ? extends R> fn,
      Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs,
      MapOptions mapOptions) {
    Objects.requireNonNull(fn, "fn");
    return map(TaskAdapters.spread(fn), TaskAdapters.pairs(pairs), mapOptions);
  }

  @Override
  public <T, R> Stream<R> imap(
      SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions mapOptions) {
    return MapEngine.stream(this, fn, items, mapOptions, true);
  }

  @Override
  public <T, R> Stream<R> imapUnordered(
      SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions mapOptions) {
    return MapEngine.stream(this, fn, items, mapOptions, false);
  }

  // ---- invokeAll / invokeAny (see Invocations) ----

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
    return Invocations.invokeAll(this, tasks);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The deadline is checked before each task after the first is submitted: a task not submitted by
   * then never runs, and its future is returned cancelled (a zero or negative timeout submits none).
   * Tasks not done at the deadline are cancelled.
   */
  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException {
    return Invocations.invokeAll(this, tasks, timeout, unit);
  }

  /** A future for a task the pool never started: already cancelled, never dispatched. */
  final <T> Future<T> notStarted(Callable<T> task) {
    TaskRun<T> run = new TaskRun<>(this, task, settings(TaskOptions.none(), false), false);
    run.cancel(false);
    return run;
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
    try {
      return invokeAny(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no deadline, yet timed out", e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Tasks are submitted one at a time, the next only while none of those submitted has finished, so
   * on a backend that runs tasks inside {@code submit} (inline) the tasks after the first success never
   * run. Once one succeeds (or the call fails), the others are cancelled.
   */
  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return Invocations.invokeAny(this, tasks, timeout, unit);
  }

  // ---- shared inputs ----

  private final Shares shares = new Shares();

  /** {@inheritDoc} Backends make the handle in {@link #shareBackend}; it is closed when {@link #close()} returns. */
  @Override
  public final dev.unipool.Shared share(java.lang.foreign.MemorySegment data) {
    return shares.share(this, data);
  }

  /**
   * Makes a {@link dev.unipool.Shared} handle for {@link #share}, which has checked the pool is running.
   * The default wraps {@code data} for tasks that run in this JVM, without copying; backends whose tasks
   * leave the JVM override it.
   *
   * @param data the bytes
   * @param onClose to be run once when the handle closes (it forgets the handle)
   * @return the handle
   * @throws UnsupportedOperationException if this backend cannot share memory with its workers
   */
  protected dev.unipool.Shared shareBackend(java.lang.foreign.MemorySegment data,
      java.util.function.Consumer<dev.unipool.Shared> onClose) {
    return dev.unipool.Shared.inProcess(data, onClose);
  }

  // ---- lifecycle ----

  @Override
  public void shutdown() {
    if (state.compareAndSet(RUNNING, SHUTDOWN)) {
      QueueSlots slots = queueSlots;
      if (slots != null) {
        slots.close(); // submitters blocked on a full queue are rejected now, not when a slot frees
      }
      shutdownBackend();
      PoolMBeans.shutDown(this); // leaves JMX once terminated, even if nobody awaits it
    }
  }

  private boolean terminated(boolean terminated) {
    if (terminated) {
      PoolMBeans.unregister(this);
      shares.closeAll(); // "valid until the pool terminates", also when nobody calls close()
    }
    return terminated;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown();
    if (!state.compareAndSet(SHUTDOWN, STOP)) {
      return List.of();
    }
    List<TaskRun<?>> never = shutdownBackendNow();
    never.forEach(r -> r.cancel(false));
    return List.copyOf(never);
  }

  @Override
  public boolean isShutdown() {
    return state.get() != RUNNING;
  }

  @Override
  public boolean isTerminated() {
    return terminated(state.get() != RUNNING && backendTerminated());
  }

  /**
   * {@inheritDoc}
   *
   * <p>A zero or negative timeout (even {@code Long.MIN_VALUE}) does not wait; a huge one waits without
   * limit. Backends see the timeout clamped to zero or more, so {@code System.nanoTime() + nanos} is a
   * deadline that {@code deadline - System.nanoTime()} measures correctly even when the sum overflows.
   */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return terminated(awaitBackend(Math.max(0, unit.toNanos(timeout))));
  }

  @Override
  public void close() {
    boolean interrupted = false;
    shutdown();
    while (true) {
      try {
        if (awaitBackend(TimeUnit.DAYS.toNanos(1))) {
          break;
        }
      } catch (InterruptedException e) {
        if (!interrupted) {
          shutdownNow();
          interrupted = true;
        }
      }
    }
    PoolMBeans.unregister(this);
    shares.closeAll();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    String s = switch (state.get()) {
      case RUNNING -> "running";
      case SHUTDOWN -> backendTerminated() ? "terminated" : "shutting down";
      default -> backendTerminated() ? "terminated" : "stopping";
    };
    return "Pool[" + options.name() + ", " + backend + ", " + s + "]";
  }
}
