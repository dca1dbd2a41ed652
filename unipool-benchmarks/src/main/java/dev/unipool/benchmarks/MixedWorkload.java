package dev.unipool.benchmarks;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The mixed workload of issue 5, not a JMH benchmark (it measures makespan and a latency percentile of
 * one big burst): 200 CPU-bound tasks of about 20 ms each and 5,000 tasks that wait 50 ms, all submitted
 * at once, on {@code auto()}, {@code threads(cores)}, {@code virtual()} and an unbounded cached thread
 * pool, alternating, several rounds. Reports the median makespan and the median p99 latency of the
 * waiting tasks (submission to completion).
 *
 * <p>Run: {@code java -cp unipool-benchmarks/target/benchmarks.jar dev.unipool.benchmarks.MixedWorkload [rounds]}
 */
public final class MixedWorkload {
  private static final int CPU_TASKS = 200;
  private static final int IO_TASKS = 5_000;
  private static final long CPU_NANOS = 20_000_000L;
  private static final long WAIT_MILLIS = 50;
  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

  private MixedWorkload() {}

  /** Burns about 20 ms of CPU: by CPU time where it can be read, else by a calibrated loop. */
  static long crunch() {
    long start = MX.getCurrentThreadCpuTime();
    long x = 1;
    if (start < 0) {
      for (int i = 0; i < 40_000_000; i++) {
        x = x * 31 + i;
      }
      return x;
    }
    while (MX.getCurrentThreadCpuTime() - start < CPU_NANOS) {
      for (int i = 0; i < 20_000; i++) {
        x = x * 31 + i;
      }
    }
    return x;
  }

  static long waitSome() throws InterruptedException {
    Thread.sleep(WAIT_MILLIS);
    return WAIT_MILLIS;
  }

  /** One round on one executor: {makespan ms, p99 of the waiting tasks' latency ms}. */
  static double[] round(ExecutorService pool) throws Exception {
    long start = System.nanoTime();
    List<Future<Long>> cpu = new ArrayList<>();
    List<Future<Long>> io = new ArrayList<>();
    long[] submitted = new long[IO_TASKS];
    long[] done = new long[IO_TASKS];
    int ci = 0;
    for (int i = 0; i < IO_TASKS; i++) {
      // Interleaved, as a real service would receive them.
      if (i % (IO_TASKS / CPU_TASKS) == 0 && ci < CPU_TASKS) {
        cpu.add(pool.submit(MixedWorkload::crunch));
        ci++;
      }
      int n = i;
      submitted[n] = System.nanoTime();
      io.add(pool.submit(() -> {
        long r = waitSome();
        done[n] = System.nanoTime();
        return r;
      }));
    }
    for (Future<Long> f : cpu) {
      f.get();
    }
    for (Future<Long> f : io) {
      f.get();
    }
    double makespan = (System.nanoTime() - start) / 1e6;
    double[] lat = new double[IO_TASKS];
    for (int i = 0; i < IO_TASKS; i++) {
      lat[i] = (done[i] - submitted[i]) / 1e6;
    }
    Arrays.sort(lat);
    return new double[] {makespan, lat[(int) (IO_TASKS * 0.99)]};
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  /**
   * Runs the comparison.
   *
   * @param args optional number of rounds (default 5)
   * @throws Exception if a task fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
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
    for (int r = 0; r <= rounds; r++) { // round 0 warms up and is not counted
      for (int c = 0; c < contenders.size(); c++) {
        if (r == 0 && contenders.get(c).name().startsWith("threads")) {
          continue; // 5,000 waits on a few threads take minutes and need no JIT warm-up to show that
        }
        if (r > 1 && contenders.get(c).name().startsWith("threads")) {
          continue; // one counted round is enough for a makespan of waits/threads x 50 ms
        }
        try (ExecutorService pool = contenders.get(c).open().get()) {
          double[] m = round(pool);
          if (r > 0) {
            makespans.get(c).add(m[0]);
            p99s.get(c).add(m[1]);
          }
        }
      }
    }
    System.out.printf(Locale.ROOT,
        "%d CPU tasks (~%d ms CPU each) + %d waits of %d ms, %d cores, median of %d rounds (threads: 1 round)%n",
        CPU_TASKS, CPU_NANOS / 1_000_000, IO_TASKS, WAIT_MILLIS, cores, rounds);
    System.out.printf(Locale.ROOT, "%-14s %12s %16s%n", "executor", "makespan ms", "I/O p99 ms");
    for (int c = 0; c < contenders.size(); c++) {
      System.out.printf(Locale.ROOT, "%-14s %12.0f %16.0f%n", contenders.get(c).name(),
          median(makespans.get(c)), median(p99s.get(c)));
    }
  }
}
