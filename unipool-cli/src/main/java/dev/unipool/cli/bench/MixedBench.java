package dev.unipool.cli.bench;

import dev.unipool.Backend;
import dev.unipool.Pool;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * {@code unipool bench --mixed}: auto against fixed backends on a mixed workload. CPU-bound tasks (about
 * 20 ms of CPU each) and many tasks that wait 50 ms, all submitted at once, on {@code auto()},
 * {@code threads(cores)}, {@code virtual()} and an unbounded cached thread pool, alternating, several
 * rounds. Reports the median makespan and the median p99 latency of the waiting tasks (submission to
 * completion).
 */
final class MixedBench {
  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

  /** Sizes of one run: full is the workload the README reports; the others are smaller copies. */
  record Size(int cpuTasks, long cpuNanos, int ioTasks, long waitMillis, int rounds) {
    static Size of(Mode mode) {
      return switch (mode.name()) {
        case "full" -> new Size(200, 20_000_000L, 5_000, 50, 3);
        case "quick" -> new Size(60, 20_000_000L, 1_000, 50, 1);
        default -> new Size(10, 2_000_000L, 100, 10, 1);
      };
    }
  }

  /** One executor's medians. */
  record Row(String executor, double makespanMillis, double ioP99Millis) {}

  private MixedBench() {}

  /** Burns about {@code nanos} of CPU: by CPU time where it can be read, else by a calibrated loop. */
  static long crunch(long nanos) {
    long start = MX.getCurrentThreadCpuTime();
    long x = 1;
    if (start < 0) {
      for (long i = 0; i < nanos * 2; i++) {
        x = x * 31 + i;
      }
      return x;
    }
    while (MX.getCurrentThreadCpuTime() - start < nanos) {
      for (int i = 0; i < 20_000; i++) {
        x = x * 31 + i;
      }
    }
    return x;
  }

  /** One round on one executor: {makespan ms, p99 of the waiting tasks' latency ms}. */
  static double[] round(ExecutorService pool, Size size) throws Exception {
    long start = System.nanoTime();
    List<Future<Long>> cpu = new ArrayList<>();
    List<Future<Long>> io = new ArrayList<>();
    long[] submitted = new long[size.ioTasks()];
    long[] done = new long[size.ioTasks()];
    long cpuNanos = size.cpuNanos();
    long wait = size.waitMillis();
    int every = Math.max(1, size.ioTasks() / size.cpuTasks());
    int ci = 0;
    for (int i = 0; i < size.ioTasks(); i++) {
      // Interleaved, as a real service would receive them.
      if (i % every == 0 && ci < size.cpuTasks()) {
        cpu.add(pool.submit(() -> crunch(cpuNanos)));
        ci++;
      }
      int n = i;
      submitted[n] = System.nanoTime();
      io.add(pool.submit(() -> {
        Thread.sleep(wait);
        done[n] = System.nanoTime();
        return wait;
      }));
    }
    for (Future<Long> f : cpu) {
      f.get();
    }
    for (Future<Long> f : io) {
      f.get();
    }
    double makespan = (System.nanoTime() - start) / 1e6;
    double[] lat = new double[size.ioTasks()];
    for (int i = 0; i < lat.length; i++) {
      lat[i] = (done[i] - submitted[i]) / 1e6;
    }
    Arrays.sort(lat);
    return new double[] {makespan, lat[(int) (lat.length * 0.99)]};
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  /**
   * Runs the comparison and prints a table.
   *
   * @param out where to print
   * @param mode the suite size
   * @return one row per executor
   * @throws Exception if a task fails
   */
  static List<Row> run(PrintWriter out, Mode mode) throws Exception {
    Size size = Size.of(mode);
    int cores = Runtime.getRuntime().availableProcessors();
    record Contender(String name, Supplier<ExecutorService> open) {}
    List<Contender> contenders = List.of(
        new Contender("auto", () -> Pool.of(Backend.auto())),
        new Contender("threads:" + cores, () -> Pool.of(Backend.threads(cores))),
        new Contender("virtual", () -> Pool.of(Backend.virtual())),
        new Contender("cached (JDK)", Executors::newCachedThreadPool));
    List<List<Double>> makespans = new ArrayList<>();
    List<List<Double>> p99s = new ArrayList<>();
    for (int c = 0; c < contenders.size(); c++) {
      makespans.add(new ArrayList<>());
      p99s.add(new ArrayList<>());
    }
    out.printf(Locale.ROOT, "unipool bench --mixed (%s): %d CPU tasks (~%d ms CPU each) + %d waits of %d ms,"
        + " all at once, %d cores, median of %d round(s)%n", mode.name(), size.cpuTasks(),
        size.cpuNanos() / 1_000_000, size.ioTasks(), size.waitMillis(), cores, size.rounds());
    out.flush();
    for (int r = 0; r <= size.rounds(); r++) { // round 0 warms up and is not counted
      for (int c = 0; c < contenders.size(); c++) {
        boolean threads = contenders.get(c).name().startsWith("threads");
        // Waits on a few threads take minutes and need no JIT warm-up to show that: one counted round.
        if (threads && r != 1) {
          continue;
        }
        try (ExecutorService pool = contenders.get(c).open().get()) {
          double[] m = round(pool, size);
          if (r > 0) {
            makespans.get(c).add(m[0]);
            p99s.get(c).add(m[1]);
          }
        }
      }
    }
    List<Row> rows = new ArrayList<>();
    out.printf(Locale.ROOT, "%n%-14s %14s %18s%n", "executor", "makespan [ms]", "I/O p99 [ms]");
    for (int c = 0; c < contenders.size(); c++) {
      Row row = new Row(contenders.get(c).name(), median(makespans.get(c)), median(p99s.get(c)));
      rows.add(row);
      out.printf(Locale.ROOT, "%-14s %14.0f %18.0f%n", row.executor(), row.makespanMillis(), row.ioP99Millis());
    }
    double best = rows.stream().skip(1).mapToDouble(Row::makespanMillis).min().orElse(Double.NaN);
    Row auto = rows.getFirst();
    out.printf(Locale.ROOT, "%nauto makespan / best fixed choice: %.2fx (bar <= 1.1x); auto I/O p99 / wait: %.2fx"
        + " (bar <= 2x)%n", auto.makespanMillis() / best, auto.ioP99Millis() / size.waitMillis());
    return rows;
  }

  /** The rows as JSON-ready maps. */
  static List<Object> toJson(List<Row> rows) {
    List<Object> list = new ArrayList<>();
    for (Row r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("executor", r.executor());
      m.put("makespan_ms", r.makespanMillis());
      m.put("io_p99_ms", r.ioP99Millis());
      list.add(m);
    }
    return list;
  }
}
