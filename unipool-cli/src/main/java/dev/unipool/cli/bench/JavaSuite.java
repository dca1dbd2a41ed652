package dev.unipool.cli.bench;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.SerializableCallable;
import dev.unipool.SerializableFunction;
import dev.unipool.TaskFuture;
import dev.unipool.cli.CourseMath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The suite's workloads on unipool backends. Every method runs one repetition and adds one sample to its
 * figure; a failure marks the figure n/a with the exception, so one broken workload never stops the run.
 */
final class JavaSuite {
  private static final SerializableCallable<Integer> TRIVIAL = () -> 1;
  @SuppressWarnings("UnnecessaryLambda") // one serializable task object, reused by every submit
  private static final SerializableFunction<Integer, Integer> INC = x -> x + 1;
  private static final SerializableCallable<Object> WAIT_50MS = () -> {
    Thread.sleep(50);
    return true;
  };
  /** Generous: only there so that a broken backend ends the workload instead of hanging the bench. */
  private static final long GATHER_TIMEOUT_MINUTES = 10;

  private final int cores = Runtime.getRuntime().availableProcessors();
  /** The items of each map size, made once: building a million boxed integers is not what is measured. */
  private final Map<Integer, List<Integer>> mapItems = new HashMap<>();

  /**
   * One segment of the course's do_math, as its own serializable task (not a lambda) so that any backend can
   * run it.
   *
   * @param start where the segment starts (exclusive)
   * @param end where it ends (inclusive)
   */
  record Segment(long start, long end) implements SerializableCallable<Long> {
    @Override
    public Long call() {
      return CourseMath.doMath(start, end);
    }
  }

  /** An action measured once; may throw anything the workload may throw. */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  static void guarded(Figure f, Step step) {
    try {
      step.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.fail("interrupted");
    } catch (Exception | OutOfMemoryError e) {
      f.fail("failed: " + e);
    }
  }

  /** Pool.of to the first result; the pool's close is not counted. */
  void startup(Backend backend, Figure f) throws Exception {
    long t0 = System.nanoTime();
    try (Pool p = Pool.of(backend)) {
      p.submit(TRIVIAL).get(GATHER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
      f.add((System.nanoTime() - t0) / 1e6);
    }
  }

  /**
   * The first result of a pool whose start-up was paid first ({@link Pool#awaitReady}): what a pool that
   * must answer at once costs its first task. Recorded as the extra {@code prestarted_ms}.
   */
  void prestarted(Backend backend, Figure f) throws Exception {
    try (Pool p = Pool.of(backend)) {
      if (!p.awaitReady(Duration.ofMinutes(GATHER_TIMEOUT_MINUTES))) {
        return; // not ready in minutes: the start-up figure says enough
      }
      long t0 = System.nanoTime();
      p.submit(TRIVIAL).get(GATHER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
      f.extra("prestarted_ms", (System.nanoTime() - t0) / 1e6);
    }
  }

  /**
   * The floor under a worker pool's start-up: {@code n} bare JVMs ({@code java -version} from the same
   * {@code java}, with the workers' collector and no perf-data file) started at once, until the last has
   * exited. No class path, no socket, no task: what the JDK alone costs on this machine, beside which
   * Python's spawn start-up can be read. Recorded as the extra {@code bare_jvms_ms}; nothing is recorded if
   * one fails, since a floor that did not run has no meaning.
   *
   * @param n how many JVMs, as many as the pool's workers
   */
  void bareJvms(int n, Figure f) throws Exception {
    List<Process> started = new ArrayList<>(n);
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < n; i++) {
        started.add(new ProcessBuilder(Floor.smallJvm("-version"))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
      }
      for (Process p : started) {
        if (!p.waitFor(GATHER_TIMEOUT_MINUTES, TimeUnit.MINUTES) || p.exitValue() != 0) {
          return;
        }
      }
      f.extra("bare_jvms_ms", (System.nanoTime() - t0) / 1e6);
      f.params.put("bare_jvms", n);
    } finally {
      started.forEach(Process::destroyForcibly); // a no-op for those that exited
    }
  }

  void roundTrip(Pool pool, int calls, Figure f) throws Exception {
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long t0 = System.nanoTime();
      pool.submit(TRIVIAL).get();
      nanos[i] = System.nanoTime() - t0;
    }
    f.params.put("calls", calls);
    f.add(Figure.median(nanos) / 1e3);
  }

  /**
   * Trivial tasks submitted at once, then gathered, in rounds of {@code tasks}: unmeasured rounds until the
   * rate stops rising (two rounds in a row no more than 10% above the best before them; at most
   * {@link #MAX_WARM_ROUNDS} or 10 seconds), then one measured round. A fresh worker JVM compiles its task
   * path over some 500,000 trivial tasks (about a second of JIT compilation per worker, on the same cores),
   * and one that just ran other work (a map, large payloads) re-compiles it: rounds of 100,000 ran at 110,
   * 380, 380, 800, 980, 1,140 k/s on a fresh pool, and at 180, 290, 470, 610, 1,100 k/s on a warm one right
   * after a map of a million items, in one probe. Measured after the suite's short warm-up alone, the figure
   * was a point on that curve (samples from 320 to 600 k/s in one bench). The first round's rate and the
   * number of unmeasured rounds are recorded as the extras {@code first_round_per_s} and
   * {@code warm_up_rounds}, so the report shows both ends. The measured round starts after a
   * {@link System#gc()}.
   */
  void throughput(Pool pool, int tasks, Figure f) throws Exception {
    long deadline = System.nanoTime() + MAX_WARM_NANOS;
    double first = tasksPerSecond(pool, tasks);
    double best = first;
    int rounds = 1;
    int flat = 0;
    while (flat < 2 && rounds < MAX_WARM_ROUNDS && System.nanoTime() - deadline < 0) {
      double rate = tasksPerSecond(pool, tasks);
      rounds++;
      flat = rate > 1.1 * best ? 0 : flat + 1;
      best = Math.max(best, rate);
    }
    f.params.put("tasks", tasks);
    f.extra("first_round_per_s", first);
    f.extra("warm_up_rounds", rounds);
    // The measured round starts on a collected heap, as every measured run does (see BenchCommand): the
    // unmeasured rounds' garbage would otherwise put a young collection into it.
    System.gc();
    f.add(tasksPerSecond(pool, tasks));
  }

  /** The most unmeasured rounds {@link #throughput} runs first, and the most time it spends on them. */
  static final int MAX_WARM_ROUNDS = 12;
  private static final long MAX_WARM_NANOS = TimeUnit.SECONDS.toNanos(10);

  private static double tasksPerSecond(Pool pool, int tasks) throws Exception {
    List<TaskFuture<Integer>> futures = new ArrayList<>(tasks);
    long t0 = System.nanoTime();
    for (int i = 0; i < tasks; i++) {
      futures.add(pool.submit(TRIVIAL));
    }
    for (TaskFuture<Integer> fut : futures) {
      fut.get(GATHER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
    }
    return tasks / ((System.nanoTime() - t0) / 1e9);
  }

  void map(Pool pool, int items, Figure f) {
    map(pool, items, 1, f);
  }

  /**
   * Runs {@code repeats} maps of {@code items} back to back and adds their items per second. A map of
   * 10,000 cheap items lasts about a millisecond: timed alone it mostly measures how long idle cores
   * take to wake (here a warm pool's 0.3 ms map took 2-5 ms after a 300 ms pause), so the small sizes are
   * timed over as many maps as make the largest one, and the Python peers do the same.
   */
  void map(Pool pool, int items, int repeats, Figure f) {
    List<Integer> in = mapItems.computeIfAbsent(items, n -> {
      List<Integer> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(i);
      }
      return list;
    });
    long t0 = System.nanoTime();
    for (int r = 0; r < repeats; r++) {
      List<Integer> out = pool.map(INC, in);
      if (out.size() != items || out.get(items - 1) != items) {
        throw new IllegalStateException("map returned wrong results");
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    f.params.put("items", items);
    f.params.put("maps", repeats);
    f.params.put("chunking", "automatic");
    f.add((double) items * repeats / seconds);
  }

  /** Tasks run before the idle memory of workers is read, as the goal states it. */
  static final int RSS_TASKS = 2_000;

  /**
   * Opens a fresh pool, runs {@link #RSS_TASKS} trivial tasks on it, lets it idle for {@code idleMillis}, and
   * adds the median resident set size of its workers (from {@code /proc/PID/status}), in MB; their size right
   * after the last result goes beside it. The pool's start-up and close are not counted.
   */
  void idleRss(Backend backend, long idleMillis, Figure f) throws Exception {
    Set<Long> pids = new TreeSet<>();
    List<Double> atOnce = new ArrayList<>();
    List<Double> rss = new ArrayList<>();
    List<Double> pss = new ArrayList<>();
    try (Pool p = Pool.of(backend)) {
      List<TaskFuture<Integer>> futures = new ArrayList<>(RSS_TASKS);
      for (int i = 0; i < RSS_TASKS; i++) {
        futures.add(p.submit(TRIVIAL));
      }
      for (TaskFuture<Integer> fut : futures) {
        fut.get(GATHER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        fut.worker().ifPresent(w -> pids.add(w.pid()));
      }
      for (long pid : pids) {
        atOnce.add(rssMegabytes(pid));
      }
      Thread.sleep(idleMillis);
      for (long pid : pids) {
        rss.add(rssMegabytes(pid));
        pss.add(pssMegabytes(pid));
      }
    }
    f.params.put("tasks", RSS_TASKS);
    f.params.put("workers", pids.size());
    f.params.put("idle_ms", idleMillis);
    f.extra("max_mb", rss.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
    // RSS counts in full the pages workers share (libjvm's code, the startup cache); PSS splits them.
    f.extra("pss_mb", pss.isEmpty() || pss.contains(Double.NaN) ? Double.NaN : Figure.median(pss));
    f.extra("at_once_mb", atOnce.isEmpty() ? Double.NaN : Figure.median(atOnce));
    f.add(Figure.median(rss));
  }

  /** The resident set size of a process in MB (10^6 bytes), read from {@code /proc}. */
  static double rssMegabytes(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 / 1e6;
      }
    }
    throw new IOException("no VmRSS in /proc/" + pid + "/status");
  }

  /** The proportional set size of a process in MB, from {@code /proc}; NaN where the kernel does not say. */
  static double pssMegabytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
        if (line.startsWith("Pss:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 / 1e6;
        }
      }
    } catch (IOException | RuntimeException e) {
      // an older kernel, or no /proc: the figure goes without it
    }
    return Double.NaN;
  }

  /** The workers a backend runs CPU work on: its parallelism, or one per core where that is unbounded. */
  int segments(Backend backend) {
    int p = backend.parallelism();
    return p == Integer.MAX_VALUE ? cores : p;
  }

  void cpu(Pool pool, long iterations, Figure f) throws Exception {
    int n = segments(pool.backend());
    long t0 = System.nanoTime();
    CourseMath.doMath(0, iterations);
    double serial = (System.nanoTime() - t0) / 1e9;
    List<TaskFuture<Long>> parts = new ArrayList<>();
    long t1 = System.nanoTime();
    for (int i = 1; i <= n; i++) {
      parts.add(pool.submit(new Segment(iterations * (i - 1) / n, iterations * i / n)));
    }
    for (TaskFuture<Long> part : parts) {
      part.get(GATHER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
    }
    double parallel = (System.nanoTime() - t1) / 1e9;
    f.params.put("iterations", iterations);
    f.params.put("segments", n);
    f.params.put("cores", cores);
    f.extra("serial_s", serial);
    f.extra("parallel_s", parallel);
    f.add(serial / parallel);
  }

  void io(Pool pool, int unboundedTasks, int perWorker, Figure f) throws Exception {
    int p = pool.backend().parallelism();
    int tasks = p == Integer.MAX_VALUE ? unboundedTasks : Math.min(unboundedTasks, p * perWorker);
    if (tasks < unboundedTasks) {
      f.note(String.format("scaled down to %,d tasks (%d per worker): %,d waits of 50 ms on %d worker%s would take"
          + " %.0f s; tasks/s is comparable, makespan is not", tasks, perWorker, unboundedTasks, p,
          p == 1 ? "" : "s", unboundedTasks * 0.05 / p));
    }
    List<TaskFuture<Object>> futures = new ArrayList<>(tasks);
    long t0 = System.nanoTime();
    for (int i = 0; i < tasks; i++) {
      futures.add(pool.submit(WAIT_50MS));
    }
    for (TaskFuture<Object> fut : futures) {
      fut.get(GATHER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    f.params.put("tasks", tasks);
    f.params.put("waitMillis", 50);
    f.extra("makespan_ms", seconds * 1e3);
    f.add(tasks / seconds);
  }

  void payload(Pool pool, byte[] data, Figure f) throws Exception {
    long t0 = System.nanoTime();
    byte[] back = pool.submit(() -> data).get(GATHER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (back.length != data.length || back[back.length - 1] != data[data.length - 1]) {
      throw new IllegalStateException("payload came back damaged");
    }
    if (back == data) {
      f.note("in-process: the task returns the same array, nothing is copied");
      f.params.put(Figure.COPIED, false);
    } else {
      f.extra("copy_floor_mbps", data.length / 1e6 / copyFloor(data));
    }
    f.params.put("bytes", data.length);
    f.add(data.length / 1e6 / seconds);
  }

  /**
   * The copies a {@code byte[]} round trip through another JVM's heap cannot avoid: into the worker's new
   * array and back into a new one here, each through something both processes can read (a socket's buffer
   * or a shared-memory region), so four copies of its bytes.
   */
  static final int FLOOR_COPIES = 4;

  /**
   * The floor under a payload round trip, timed right after it: {@link #FLOOR_COPIES} copies of the bytes,
   * each into a new array, in this JVM alone. No process, no codec, no wake-up: what this machine's memory
   * costs for the same bytes at that moment (on a VM, touching memory not used for a while is itself slow).
   * Recorded as the extra {@code copy_floor_mbps}, in the payload's own unit.
   *
   * @return seconds
   */
  static double copyFloor(byte[] data) {
    long t0 = System.nanoTime();
    byte[] a = data;
    for (int i = 0; i < FLOOR_COPIES; i++) {
      byte[] b = new byte[a.length];
      System.arraycopy(a, 0, b, 0, a.length);
      a = b;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (a.length > 0 && a[a.length - 1] != data[data.length - 1]) { // and the copies are used: none is elided
      throw new IllegalStateException("the copy floor's copy came out different");
    }
    return seconds;
  }

  /** The data {@link #share} shares, off-heap, made once per size: filling a gigabyte takes a while. */
  private static final java.util.Map<Long, java.lang.foreign.MemorySegment> SHARE_DATA = new java.util.HashMap<>();

  /**
   * Shares {@code bytes} with the pool, then has one task per worker sum the whole segment, twice: the
   * first read maps it in each worker (page-table set-up), the second is the figure. Nothing is copied per
   * task or worker; the one copy, into shared memory, is timed apart (extra {@code share_ms}).
   */
  void share(Pool pool, long bytes, Figure f) throws Exception {
    java.lang.foreign.MemorySegment data = SHARE_DATA.computeIfAbsent(bytes, n -> {
      java.lang.foreign.MemorySegment s = java.lang.foreign.Arena.global().allocate(n, 8);
      for (long i = 0; i + 8 <= n; i += 8) {
        s.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L);
      }
      return s;
    });
    long expected = sumOf(data);
    int n = segments(pool.backend());
    long t0 = System.nanoTime();
    try (dev.unipool.Shared shared = pool.share(data)) {
      double shareSeconds = (System.nanoTime() - t0) / 1e9;
      double cold = readAll(pool, shared, n, expected);
      double warm = readAll(pool, shared, n, expected);
      f.params.put("bytes", bytes);
      f.params.put("tasks", n);
      f.extra("share_ms", shareSeconds * 1e3);
      f.extra("first_read_gbps", bytes * (double) n / 1e9 / cold);
      f.note("each of " + n + " tasks read the whole segment in place through one mapping per worker: no copy per"
          + " task; pool.share itself copies once into shared memory on worker processes, none in-process");
      f.add(bytes * (double) n / 1e9 / warm);
    }
  }

  private static double readAll(Pool pool, dev.unipool.Shared shared, int tasks, long expected) throws Exception {
    List<TaskFuture<Long>> sums = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < tasks; i++) {
      sums.add(pool.submit(() -> sumOf(shared.segment())));
    }
    for (TaskFuture<Long> s : sums) {
      if (s.get(GATHER_TIMEOUT_MINUTES, TimeUnit.MINUTES) != expected) {
        throw new IllegalStateException("a task read different bytes from the shared segment");
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  static long sumOf(java.lang.foreign.MemorySegment s) {
    long sum = 0;
    long n = s.byteSize() & ~7L;
    for (long i = 0; i < n; i += 8) {
      sum += s.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i);
    }
    return sum;
  }

  static byte[] payloadOf(int bytes) {
    byte[] data = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      data[i] = (byte) (i * 31 + (i >>> 8));
    }
    return data;
  }
}
