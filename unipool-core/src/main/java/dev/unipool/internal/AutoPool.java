package dev.unipool.internal;

import dev.unipool.Backend;
import dev.unipool.Hint;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.TaskFuture;
import dev.unipool.TaskOptions;
import dev.unipool.WorkerInfo;
import dev.unipool.WorkerStats;
import dev.unipool.internal.jfr.Jfr;
import dev.unipool.spi.AbstractPool;
import dev.unipool.spi.TaskRun;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * {@link Backend#auto()}: routes each kind of task to virtual threads, a CPU-sized platform pool or
 * worker processes.
 *
 * <p>Overview: CPU time can only be read on platform threads (it reads as -1 on virtual threads), so a
 * new kind's first task runs on a "probe" platform thread while later tasks of that kind wait briefly.
 * The probe decides as soon as it finishes, or after {@link #EARLY_DECISION_MILLIS} by reading the
 * probe thread's CPU time so far, so a slow first task does not hold the others back. CPU-routed tasks
 * are measured on every run (they already run on platform threads); I/O-routed kinds are re-probed
 * every {@link #REPROBE_EVERY} runs. A kind switches to CPU at a CPU/wall ratio of
 * {@link #CPU_BOUND} and back to I/O below {@link #IO_BOUND}; the gap keeps borderline kinds from
 * flapping.
 */
final class AutoPool extends AbstractPool {
  // Waiting tasks (sleeps, sockets, HTTP) measure a few percent; computing ones near 100% once run-queue
  // delay is taken out. Cold first runs (class loading, contended locks, a JIT still compiling) read
  // lower, so the bar to call a kind CPU-bound is modest, and the way back to I/O needs much less.
  static final double CPU_BOUND = 0.25;
  static final double IO_BOUND = 0.1;
  /** When the probe is still running, a second, final look after this long. */
  static final long LATE_DECISION_MILLIS = 200;
  static final int REPROBE_EVERY = 64;
  static final long EARLY_DECISION_MILLIS = 20;

  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
  private static final AtomicInteger IDS = new AtomicInteger();

  private final Backend.Auto config;
  private final ExecutorService io;
  private final ThreadPoolExecutor cpu;
  private final ThreadPoolExecutor probe;
  private final ConcurrentHashMap<Object, Kind> kinds = new ConcurrentHashMap<>();
  private final Object isolatedLock = new Object();
  /**
   * Held shared while a probe's decision hands the tasks that waited for it to their route, and exclusively
   * while {@link #shutdownBackend} releases the rest and closes the routes: a decision that had taken the
   * waiting tasks but not yet handed them over found the routes closed, and an accepted task failed with
   * {@code RejectedExecutionException}.
   */
  private final ReentrantReadWriteLock releases = new ReentrantReadWriteLock();
  /** Isolated tasks and their futures in the process pool, so a cancel can reach the worker. */
  private final ConcurrentHashMap<TaskRun<?>, TaskFuture<?>> isolatedRuns = new ConcurrentHashMap<>();
  private volatile @Nullable Pool isolated;

  enum Route {
    IO("virtual threads"),
    CPU("platform threads"),
    ISOLATED("worker processes");

    final String where;

    Route(String where) {
      this.where = where;
    }
  }

  /** Statistics and routing of one kind of task. Mutable state guarded by the instance's monitor. */
  static final class Kind {
    final String name;
    @Nullable Route route;
    @Nullable String reason;
    boolean probing;
    long probeThread = -1;
    long probeStartNanos;
    int sinceProbe;
    long runs;
    long measured;
    double ratio = -1; // CPU time / wall time, exponentially averaged
    double meanWallMillis = -1;
    final ArrayDeque<TaskRun<?>> waiting = new ArrayDeque<>();

    Kind(String name) {
      this.name = name;
    }

    synchronized void record(long cpuNanos, long wallNanos) {
      if (wallNanos <= 0 || cpuNanos < 0) {
        return;
      }
      double r = Math.min(1.0, (double) cpuNanos / wallNanos);
      ratio = AutoPolicy.average(ratio, r);
      meanWallMillis = AutoPolicy.average(meanWallMillis, wallNanos / 1e6);
      measured++;
    }
  }

  AutoPool(Backend.Auto config, PoolOptions options) {
    super(config, options);
    this.config = config;
    int id = IDS.incrementAndGet();
    String prefix = options.name() + "-" + id + "-auto-";
    // Daemon platform threads (virtual threads always are): an unclosed pool must not keep the JVM alive.
    this.io = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(prefix + "io-", 1).factory());
    sharedWorkers("virtual threads and probes", false); // the CPU threads below have entries of their own
    this.cpu = new ThreadPoolExecutor(config.cpuThreads(), config.cpuThreads(), 30, TimeUnit.SECONDS,
        workerQueue(), workerThreads(prefix + "cpu-", true));
    cpu.allowCoreThreadTimeOut(true);
    this.probe = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new java.util.concurrent.SynchronousQueue<>(),
        Thread.ofPlatform().daemon().name(prefix + "probe-", 1).factory());
  }

  // ---- routing ----

  @Override
  protected void dispatch(TaskRun<?> run) {
    Object key = run.kind() != null ? run.kind() : TaskAdapters.kindOf(run.task()).getClass();
    Kind k = kinds.computeIfAbsent(key, x -> new Kind(
        run.kind() != null ? run.kind() : TaskAdapters.displayName(TaskAdapters.kindOf(run.task()))));
    Hint hint = run.hint();
    if (hint != null) {
      Route r = AutoPolicy.hinted(hint);
      List<TaskRun<?>> release;
      synchronized (k) {
        Route before = k.route;
        k.route = r;
        k.reason = "hint " + hint;
        routed(k, before);
        k.runs++;
        release = drain(k); // tasks of this kind waiting for a probe follow the hint too
      }
      execute(r, k, run);
      release.forEach(t -> execute(r, k, t));
      return;
    }
    Route r;
    synchronized (k) {
      k.runs++;
      Route current = k.route;
      if (current == Route.IO) {
        k.sinceProbe++;
      }
      if (current == null || AutoPolicy.needsProbe(current, k.sinceProbe, k.probing)) {
        if (k.probing) {
          k.waiting.add(run); // decided within EARLY_DECISION_MILLIS
          return;
        }
        k.sinceProbe = 0;
        k.probing = true;
        startProbe(k, run);
        return;
      }
      r = current;
    }
    if (r == Route.CPU && run.timeout() != null) {
      r = AutoPolicy.withTimeout(r, true, processesAvailable());
    }
    execute(r, k, run);
  }

  private static volatile @Nullable Boolean processes;

  private static boolean processesAvailable() {
    Boolean p = processes;
    if (p == null) {
      p = Pools.hasProvider(Backend.processes(1));
      processes = p;
    }
    return p;
  }

  // The early look's timer is never cancelled: decideEarly checks the kind's state and does nothing if the
  // probe already decided, so its future carries nothing worth keeping.
  @SuppressWarnings("FutureReturnValueIgnored")
  private void startProbe(Kind k, TaskRun<?> run) {
    try {
      probe.execute(() -> {
        synchronized (k) {
          k.probeThread = Thread.currentThread().threadId();
          k.probeStartNanos = System.nanoTime();
        }
        SharedTimer.TIMER.schedule(() -> decideEarly(k), EARLY_DECISION_MILLIS, TimeUnit.MILLISECONDS);
        measure(k, run);
        finishProbe(k);
      });
    } catch (RuntimeException e) {
      synchronized (k) {
        k.probing = false;
      }
      throw e;
    }
  }

  /**
   * The probe is still running: judge by the CPU it has used so far and release the waiting tasks. At the
   * first look only a clear case decides; at the second look the usual threshold does.
   */
  private void decideEarly(Kind k) {
    decideEarly(k, false);
  }

  private void decideEarly(Kind k, boolean last) {
    handingOver(() -> decideEarlyNow(k, last));
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the late look, like the early one in startProbe
  private void decideEarlyNow(Kind k, boolean last) {
    List<TaskRun<?>> release;
    Route r;
    synchronized (k) {
      if (!k.probing || k.route != null || k.probeThread < 0) {
        return;
      }
      long cpuNanos = MX.getThreadCpuTime(k.probeThread);
      long wall = System.nanoTime() - k.probeStartNanos;
      // Run-queue delay of another thread is not at hand here: only a clear reading decides at once.
      double ratio = AutoPolicy.earlyRatio(cpuNanos, wall);
      Route decided = AutoPolicy.early(cpuNanos, wall, last);
      if (decided == null) {
        SharedTimer.TIMER.schedule(() -> decideEarly(k, true), LATE_DECISION_MILLIS - EARLY_DECISION_MILLIS,
            TimeUnit.MILLISECONDS);
        return;
      }
      r = decided;
      k.route = r;
      k.reason = String.format(Locale.ROOT, "first run used %.0f%% CPU in its first %d ms", 100 * ratio,
          wall / 1_000_000);
      routed(k, null, ratio);
      release = drain(k);
    }
    release.forEach(t -> execute(r, k, t));
  }

  private void finishProbe(Kind k) {
    handingOver(() -> finishProbeNow(k));
  }

  /** Runs a probe's decision, which takes the tasks that waited for it and hands them over, under {@link #releases}. */
  private void handingOver(Runnable decision) {
    releases.readLock().lock();
    try {
      decision.run();
    } finally {
      releases.readLock().unlock();
    }
  }

  private void finishProbeNow(Kind k) {
    List<TaskRun<?>> release;
    Route r;
    synchronized (k) {
      k.probing = false;
      k.probeThread = -1;
      Route before = k.route;
      k.route = AutoPolicy.afterProbe(before, k.ratio);
      if (k.ratio >= 0) {
        if (k.route != before || k.reason == null) {
          // Keep the earlier decision in view: tasks released by it ran there, and explain() should say so.
          String earlier = before == null || k.reason == null ? "" : " (was " + before.where + ": " + k.reason + ")";
          k.reason = String.format(Locale.ROOT, "measured %.0f%% CPU of wall time%s", 100 * k.ratio, earlier);
        }
      } else if (before == null) {
        k.reason = "not measured yet"; // nothing measurable (cancelled before it ran)
      }
      routed(k, before);
      r = java.util.Objects.requireNonNull(k.route);
      release = drain(k);
    }
    release.forEach(t -> execute(r, k, t));
  }

  /** Emits {@code dev.unipool.Route} if {@code k}'s route is not {@code before}. Called holding {@code k}. */
  private void routed(Kind k, @Nullable Route before) {
    routed(options().name(), k, before, k.ratio);
  }

  private void routed(Kind k, @Nullable Route before, double cpu) {
    routed(options().name(), k, before, cpu);
  }

  private static void routed(String pool, Kind k, @Nullable Route before, double cpu) {
    Route now = k.route;
    if (now == before || now == null) {
      return;
    }
    Jfr.route(pool, k.name, now.where, before == null ? null : before.where, k.reason, cpu);
  }

  private static List<TaskRun<?>> drain(Kind k) {
    List<TaskRun<?>> out = new ArrayList<>(k.waiting);
    k.waiting.clear();
    return out;
  }

  /**
   * Runs on the current platform thread and records CPU time against the time the thread could have run.
   * Time spent waiting for a core (run-queue delay, read from Linux's schedstat where available) is taken
   * out of the wall time, so a CPU-bound kind still reads as CPU-bound on a loaded machine.
   */
  private static void measure(Kind k, TaskRun<?> run) {
    long[] before = ThreadClock.sample();
    long wall0 = System.nanoTime();
    run.run();
    long wall = System.nanoTime() - wall0;
    long[] after = ThreadClock.sample();
    if (before[0] >= 0 && after[0] >= 0 && run.isDone() && !run.isCancelled()) {
      k.record(after[0] - before[0], Math.max(1, wall - (after[1] - before[1])));
    }
  }

  private void execute(Route r, Kind k, TaskRun<?> run) {
    try {
      executeOn(r, k, run);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      run.completeExceptionally(e); // released after shutdownNow: nothing may hang
    }
  }

  private void executeOn(Route r, Kind k, TaskRun<?> run) {
    switch (r) {
      case IO -> io.execute(run);
      case CPU -> cpu.execute(new CpuJob(options().name(), k, run));
      case ISOLATED -> runIsolated(run);
    }
  }

  /** A task on the CPU route; a record so {@code shutdownNow} can hand back the task inside. */
  private record CpuJob(String pool, Kind k, TaskRun<?> task) implements Runnable {
    @Override
    public void run() {
      measure(k, task);
      synchronized (k) {
        boolean reroute = AutoPolicy.backToIo(k.route, k.measured, k.ratio, k.reason);
        if (reroute) {
          k.route = Route.IO;
          k.reason = String.format(Locale.ROOT, "re-measured %.0f%% CPU of wall time", 100 * k.ratio);
          routed(pool, k, Route.CPU, k.ratio);
        }
      }
    }
  }

  @SuppressWarnings({"unchecked", "NullAway"}) // results may be null
  private void runIsolated(TaskRun<?> run) {
    Pool p = isolatedPool();
    if (!run.start(new WorkerInfo(-1, "worker process", "pending", "localhost"))) {
      return; // cancelled already
    }
    TaskFuture<Object> inner = p.submit((java.util.concurrent.Callable<Object>) run.task(),
        new TaskOptions(null, run.retries()));
    isolatedRuns.put(run, inner);
    if (run.isDone()) {
      inner.cancel(true); // cancelled or timed out while we were submitting: cancelRunning missed it
    }
    TaskRun<Object> outer = (TaskRun<Object>) run;
    inner.whenComplete((v, e) -> {
      isolatedRuns.remove(outer);
      inner.worker().ifPresent(outer::ranOn);
      if (e == null) {
        outer.complete(v);
      } else {
        outer.completeExceptionally(dev.unipool.Futures.unwrap(e));
      }
    });
  }

  private Pool isolatedPool() {
    Pool p = isolated;
    if (p != null) {
      return p;
    }
    synchronized (isolatedLock) {
      p = isolated;
      if (p == null) {
        if (isShutdown()) {
          throw new java.util.concurrent.RejectedExecutionException("pool is shut down");
        }
        p = Pools.openWithProvider(Backend.processes(config.isolatedWorkers()), options(), "unipool-process");
        isolated = p;
      }
      return p;
    }
  }

  @Override
  protected void cancelRunning(TaskRun<?> run, boolean interrupt) {
    TaskFuture<?> inner = isolatedRuns.get(run);
    if (inner != null) {
      inner.cancel(interrupt);
    } else {
      super.cancelRunning(run, interrupt);
    }
  }

  // ---- lifecycle ----

  @Override
  protected void shutdownBackend() {
    releases.writeLock().lock();
    try {
      releaseAndClose();
    } finally {
      releases.writeLock().unlock();
    }
    Pool p;
    synchronized (isolatedLock) { // isolatedPool() sees isShutdown() under the same lock: no pool after this
      p = isolated;
    }
    if (p != null) {
      p.shutdown();
    }
  }

  private void releaseAndClose() {
    // Tasks waiting for their kind's first measurement were accepted: start them before closing the doors.
    for (Kind k : kinds.values()) {
      List<TaskRun<?>> release;
      synchronized (k) {
        if (k.route == null) {
          k.route = Route.CPU;
          k.reason = "pool shut down before the first measurement";
          routed(k, null);
        }
        release = drain(k);
      }
      Route r = java.util.Objects.requireNonNull(k.route);
      release.forEach(t -> execute(r, k, t));
    }
    io.shutdown();
    cpu.shutdown();
    probe.shutdown();
  }

  @Override
  protected List<TaskRun<?>> shutdownBackendNow() {
    List<TaskRun<?>> never = new ArrayList<>();
    for (Runnable r : cpu.shutdownNow()) {
      if (r instanceof CpuJob job) {
        never.add(job.task());
      }
    }
    io.shutdownNow();
    probe.shutdownNow();
    for (Kind k : kinds.values()) {
      synchronized (k) {
        never.addAll(drain(k));
      }
    }
    Pool p = isolated;
    if (p != null) {
      p.shutdownNow();
    }
    return never;
  }

  @Override
  protected boolean awaitBackend(long nanos) throws InterruptedException {
    // nanos >= 0 (AbstractPool clamps it), so "deadline - now" is right even if this sum overflows.
    long deadline = System.nanoTime() + nanos;
    for (ExecutorService e : List.of(probe, io, cpu)) {
      if (!e.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
    Pool p = isolated;
    return p == null || p.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  @Override
  protected boolean backendTerminated() {
    Pool p = isolated;
    return io.isTerminated() && cpu.isTerminated() && probe.isTerminated() && (p == null || p.isTerminated());
  }

  /** The CPU threads, the entry for virtual threads and probes, then the isolated pool's worker processes. */
  @Override
  protected List<WorkerStats> workerStats() {
    List<WorkerStats> all = new ArrayList<>(super.workerStats());
    Pool p = isolated;
    if (p != null) {
      all.addAll(p.stats().workers());
    }
    return all;
  }

  @Override
  public String explain() {
    StringBuilder sb = new StringBuilder("auto: ").append(kinds.size()).append(" kind(s) of task\n");
    List<Kind> all = new ArrayList<>(kinds.values());
    all.sort(java.util.Comparator.comparing(k -> k.name));
    for (Kind k : all) {
      synchronized (k) {
        sb.append(String.format(Locale.ROOT, "  %-36s -> %-16s %s; %d run(s)", k.name,
            k.route == null ? "(deciding)" : k.route.where, k.reason == null ? "" : k.reason, k.runs));
        if (k.ratio >= 0) {
          sb.append(String.format(Locale.ROOT, ", CPU %.0f%% of wall, mean %.1f ms over %d measured",
              100 * k.ratio, k.meanWallMillis, k.measured));
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /** The route a kind has now, for tests. */
  @Nullable Route routeOf(Object key) {
    Kind k = kinds.get(key);
    if (k == null) {
      return null;
    }
    synchronized (k) {
      return k.route;
    }
  }
}
