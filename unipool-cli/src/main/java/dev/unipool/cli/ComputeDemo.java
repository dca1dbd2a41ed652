package dev.unipool.cli;

import dev.unipool.Backend;
import dev.unipool.Futures;
import dev.unipool.Pool;
import dev.unipool.SerializableCallable;
import dev.unipool.TaskFuture;
import dev.unipool.WorkerInfo;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code unipool demo compute}: the course's multiprocessing review. The course's {@code do_math} over
 * {@code --size} iterations, split into one segment per worker, against a serial run of the same size.
 */
@Command(
    name = "compute",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Runs the course's CPU-bound do_math over --size iterations, split into one segment per worker,"
          + " and compares the time with a serial run made in the same invocation.",
      "On threads all segments share one JVM; on a process backend each runs in its own worker JVM. Starting"
          + " the pool and a first do_math on each worker (JVM start-up, JIT compilation) is timed apart, as"
          + " warm-up: it is paid once per pool, not per computation."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:a segment failed", "2:usage error"},
    footerHeading = "%nExamples:%n",
    footer = {
      "  unipool demo compute",
      "  unipool demo compute --workers 4 --size 100000000",
      "  unipool demo compute --backend virtual --json"
    })
final class ComputeDemo implements Callable<Integer> {
  // About a second of serial work on a current core: enough for the course's point (n workers, n times
  // faster) to show over the dispatch costs. At 30,000,000 (0.1 s) worker processes looked slower than
  // serial, with their start-up inside the timing.
  private static final long DEFAULT_SIZE = 250_000_000L;
  /** Iterations of a warm-up task: enough for a fresh worker JVM to reach C2-compiled do_math (~50 ms). */
  private static final long WARM_UP_SIZE = 10_000_000L;
  /**
   * Warm-up goes on, round after round, until every worker JVM has run a task or this long has passed: a
   * worker that starts late gets no task while the others drain each round.
   */
  private static final long WARM_UP_LIMIT_SECONDS = 30;

  @Mixin PoolChoice pool = new PoolChoice();

  @Option(
      names = {"-s", "--size"},
      paramLabel = "S",
      description = "Total iterations of do_math. Default: 250,000,000 (about a second of serial work).")
  long size = DEFAULT_SIZE;

  @Mixin JsonOption output = new JsonOption();
  @Mixin StatsOption stats = new StatsOption();

  private final PrintWriter out;

  ComputeDemo(PrintWriter out) {
    this.out = out;
  }

  /**
   * The task: one segment of the work, {@code do_math(start, end)}.
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

  @Override
  public Integer call() throws InterruptedException {
    if (size < 1) {
      throw new UsageException("--size must be at least 1");
    }
    Backend backend = pool.backend();
    int count = (int) Math.min(pool.segments(backend), size);
    boolean human = !output.json;
    if (human) {
      out.printf("Doing math on %,d segment%s (backend %s), %,d iterations.%n",
          count, count == 1 ? "" : "s", backend, size);
    }

    warmUp();
    long serialStart = System.nanoTime();
    long serialResult = CourseMath.doMath(0, size);
    long serialNanos = System.nanoTime() - serialStart;
    if (human) {
      out.printf("Serial run:   done in %.2f sec. (result %,d)%n", serialNanos / 1e9, serialResult);
    }

    List<Segment> segments = new ArrayList<>();
    for (int n = 1; n <= count; n++) {
      segments.add(new Segment(size * (n - 1) / count, size * n / count));
    }
    List<TaskFuture<Long>> work = new ArrayList<>();
    // Pool start-up and warm-up are reported apart from the work: they are paid once per pool, not per
    // computation (worker JVMs start, then compile do_math, as the serial run's JVM already has).
    long openStart = System.nanoTime();
    long parallelNanos;
    long openNanos;
    long warmUpNanos;
    int warmed;
    try (Pool p = stats.watch(PoolChoice.open(backend))) {
      long warmUpStart = System.nanoTime();
      openNanos = warmUpStart - openStart;
      // Worker JVMs each start and compile do_math on their own; in-process backends share the warm JVM.
      int jvms = backend instanceof Backend.Processes procs ? Math.min(count, procs.workers()) : 1;
      warmed = warmUp(p, count, jvms);
      long parallelStart = System.nanoTime();
      warmUpNanos = parallelStart - warmUpStart;
      if (human) {
        out.printf("Warm-up:      %.2f sec., not counted (pool start %.2f sec., then a first do_math in %d JVM%s)%n",
            (parallelStart - openStart) / 1e9, openNanos / 1e9, warmed, warmed == 1 ? "" : "s");
      }
      for (Segment s : segments) {
        work.add(p.submit(s));
      }
      try (Progress progress = Progress.start("segments", count, human)) {
        for (TaskFuture<Long> ignored : Futures.asCompleted(work)) {
          progress.step();
        }
      }
      parallelNanos = System.nanoTime() - parallelStart;
    }

    List<Map<String, @Nullable Object>> rows = new ArrayList<>();
    boolean failed = false;
    for (int i = 0; i < count; i++) {
      Segment s = segments.get(i);
      TaskFuture<Long> f = work.get(i);
      Map<String, @Nullable Object> row = new LinkedHashMap<>();
      row.put("start", s.start());
      row.put("end", s.end());
      WorkerInfo w = f.worker().orElse(null);
      row.put("pid", w == null ? null : w.pid());
      row.put("worker", w == null ? null : w.name());
      row.put("seconds", f.timings().ran().map(d -> d.toNanos() / 1e9).orElse(null));
      String shown;
      try {
        long result = f.get();
        row.put("result", result);
        shown = String.format("result %,d", result);
      } catch (ExecutionException | CancellationException e) {
        failed = true;
        String error = Futures.unwrap(e).toString();
        row.put("error", error);
        shown = "FAILED: " + error;
      }
      rows.add(row);
      if (human) {
        out.printf("Segment %d/%d  (%,d, %,d]  %s  PID: %s, worker: %s%s%n", i + 1, count, s.start(), s.end(),
            shown, w == null ? "?" : w.pid(), w == null ? "?" : w.name(),
            f.timings().ran().map(ComputeDemo::secondsText).orElse(""));
      }
    }
    double speedup = (double) serialNanos / parallelNanos;
    if (human) {
      out.printf("Done in %.2f sec.%n", parallelNanos / 1e9);
      out.printf("Speedup: %.2fx vs serial (%.2f sec serial, %.2f sec on %d segment%s)%n",
          speedup, serialNanos / 1e9, parallelNanos / 1e9, count, count == 1 ? "" : "s");
    } else {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("demo", "compute");
      doc.put("backend", backend.toString());
      doc.put("ok", !failed);
      doc.put("size", size);
      Map<String, Object> serial = new LinkedHashMap<>();
      serial.put("seconds", serialNanos / 1e9);
      serial.put("result", serialResult);
      doc.put("serial", serial);
      doc.put("parallelSeconds", parallelNanos / 1e9);
      doc.put("poolStartSeconds", openNanos / 1e9);
      doc.put("warmUpSeconds", warmUpNanos / 1e9);
      doc.put("warmedJvms", warmed);
      doc.put("speedup", speedup);
      doc.put("segments", rows);
      out.println(Json.write(doc));
    }
    stats.print(out, human);
    return failed ? 1 : 0;
  }

  private static String secondsText(Duration d) {
    return String.format(", %.2f sec", d.toNanos() / 1e9);
  }

  /**
   * Runs a small do_math on every worker before the timed run, in rounds of {@code count} tasks, until
   * tasks have run in {@code target} distinct JVMs (process ids) or {@link #WARM_UP_LIMIT_SECONDS} have
   * passed.
   *
   * @return how many distinct JVMs ran a warm-up task
   */
  private static int warmUp(Pool pool, int count, int target) throws InterruptedException {
    Set<Long> warmed = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARM_UP_LIMIT_SECONDS);
    while (warmed.size() < target && System.nanoTime() < deadline) {
      List<TaskFuture<Long>> tasks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        tasks.add(pool.submit(new Segment(0, WARM_UP_SIZE)));
      }
      for (TaskFuture<Long> t : tasks) {
        try {
          t.get();
        } catch (ExecutionException | CancellationException e) {
          return warmed.size(); // the timed run fails the same way and reports it
        }
        t.worker().ifPresent(w -> warmed.add(w.pid()));
      }
    }
    return warmed.size();
  }

  /** Lets the JIT compile the loop first, so the serial run is not charged for it (the course does the same). */
  private static void warmUp() {
    for (int i = 0; i < 20; i++) {
      CourseMath.doMath(0, 50_000);
    }
  }
}
