package dev.unipool.cli;

import dev.unipool.Backend;
import dev.unipool.Futures;
import dev.unipool.Hint;
import dev.unipool.Pool;
import dev.unipool.SerializableCallable;
import dev.unipool.TaskFuture;
import dev.unipool.TaskOptions;
import dev.unipool.WorkerInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code unipool demo mixed}: the course's unsync program. CPU-bound computations, downloads with an
 * asynchronous and with a blocking client, and short waits, all started at once and gathered.
 */
@Command(
    name = "mixed",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Starts 3 CPU-bound computations, 2 downloads with an asynchronous client, 2 with a blocking client"
          + " and 4 tasks that wait in short sleeps, all at once, then gathers them and prints the total time.",
      "Without --backend the program runs on Backend.auto(), which measures each kind of task and routes"
          + " it: CPU-bound work to platform threads (one per core), I/O and waits to virtual threads."
          + " --hints declares the kinds instead, like unsync's cpu_bound=True; --explain shows what auto"
          + " decided. With --backend everything runs there."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:a task failed", "2:usage error"},
    footerHeading = "%nExamples:%n",
    footer = {
      "  unipool demo mixed --explain            # auto: what it measured, where each kind went",
      "  unipool demo mixed --hints              # declared kinds, as in the course's unsync program",
      "  unipool demo mixed --backend threads:1  # everything on one thread",
      "  unipool demo mixed --json"
    })
final class MixedDemo implements Callable<Integer> {
  private static final long DEFAULT_SIZE = 10_000_000L;

  @Option(
      names = {"-b", "--backend"},
      paramLabel = "B",
      description = "Run every task on this backend (" + Backend.VALID_FORMS + ") instead of routing by kind.")
  @Nullable String backend;

  @Option(
      names = {"-w", "--workers"},
      paramLabel = "N",
      description = "Worker count for --backend.")
  @Nullable Integer workers;

  @Option(names = "--hints", description = "Declare each task's kind (CPU or I/O) instead of letting auto measure.")
  boolean hints;

  @Option(names = "--explain", description = "Print how the pool decided where each kind of task ran.")
  boolean explain;

  @Option(
      names = {"-s", "--size"},
      paramLabel = "S",
      description = "Iterations of each CPU-bound computation. Default: 10,000,000.")
  long size = DEFAULT_SIZE;

  @Mixin JsonOption output = new JsonOption();
  @Mixin StatsOption stats = new StatsOption();

  private final PrintWriter out;

  MixedDemo(PrintWriter out) {
    this.out = out;
  }

  /** The hint each task carries, like unsync's {@code cpu_bound=True}. */
  enum Kind {
    CPU_BOUND,
    IO_BOUND
  }

  /** One task of the program, with its name in the course and its hint. */
  private record Job(String name, Kind kind, SerializableCallable<?> task) {}

  /** The course's {@code compute_some}. */
  record ComputeSome(long iterations, boolean chatty) implements SerializableCallable<Long> {
    @Override
    public Long call() {
      say(chatty, "Computing...");
      return CourseMath.doMath(0, iterations);
    }
  }

  /** The course's {@code download_some}: the asynchronous client ({@code sendAsync}). */
  record DownloadSome(String url, boolean chatty) implements SerializableCallable<Integer> {
    @Override
    public Integer call() throws Exception {
      say(chatty, "Downloading...");
      String text;
      try {
        text = PageFetcher.fetchAsync(url).join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
      say(chatty, String.format("Downloaded %,d characters.", text.length()));
      return text.length();
    }
  }

  /** The course's {@code download_some_more}: the blocking client ({@code send}). */
  record DownloadSomeMore(String url, boolean chatty) implements SerializableCallable<Integer> {
    @Override
    public Integer call() throws Exception {
      say(chatty, "Downloading more ...");
      String text = PageFetcher.fetchHtml(url);
      say(chatty, String.format("Downloaded (more) %,d characters.", text.length()));
      return text.length();
    }
  }

  /** The course's {@code wait_some}: many tiny sleeps. */
  record WaitSome(int sleeps, boolean chatty) implements SerializableCallable<Integer> {
    @Override
    public Integer call() throws InterruptedException {
      say(chatty, "Waiting...");
      for (int i = 0; i < sleeps; i++) {
        Thread.sleep(1);
      }
      return sleeps;
    }
  }

  private static void say(boolean chatty, String line) {
    if (chatty) {
      System.out.println(line);
    }
  }

  /** The one routing decision of this demo: an explicit backend takes everything, otherwise auto. */
  private Backend backend() {
    if (backend != null) {
      return PoolChoice.resolve(backend, workers);
    }
    if (workers != null) {
      throw new UsageException(workers < 1 ? "--workers must be at least 1"
          : "--workers needs --backend (auto sizes its own pools)");
    }
    return Backend.auto();
  }

  private TaskOptions optionsFor(Job job) {
    if (!hints) {
      return TaskOptions.none().withKind(job.name()); // auto learns per kind, as the course names them
    }
    return TaskOptions.hint(job.kind() == Kind.CPU_BOUND ? Hint.CPU : Hint.IO).withKind(job.name());
  }

  @Override
  public Integer call() throws InterruptedException {
    if (size < 1) {
      throw new UsageException("--size must be at least 1");
    }
    Backend where = backend();
    boolean human = !output.json;
    long start = System.nanoTime();
    List<Job> jobs;
    List<TaskFuture<?>> work = new ArrayList<>();
    String explanation;
    try (LocalWebServer site = LocalWebServer.start()) {
      List<String> urls = site.pageUrls();
      jobs = List.of(
          new Job("compute_some", Kind.CPU_BOUND, new ComputeSome(size, human)),
          new Job("compute_some", Kind.CPU_BOUND, new ComputeSome(size, human)),
          new Job("compute_some", Kind.CPU_BOUND, new ComputeSome(size, human)),
          new Job("download_some", Kind.IO_BOUND, new DownloadSome(urls.get(0), human)),
          new Job("download_some", Kind.IO_BOUND, new DownloadSome(urls.get(1), human)),
          new Job("download_some_more", Kind.IO_BOUND, new DownloadSomeMore(urls.get(2), human)),
          new Job("download_some_more", Kind.IO_BOUND, new DownloadSomeMore(urls.get(3), human)),
          new Job("wait_some", Kind.IO_BOUND, new WaitSome(100, human)),
          new Job("wait_some", Kind.IO_BOUND, new WaitSome(100, human)),
          new Job("wait_some", Kind.IO_BOUND, new WaitSome(100, human)),
          new Job("wait_some", Kind.IO_BOUND, new WaitSome(100, human)));
      try (Pool pool = stats.watch(PoolChoice.open(where))) {
        for (Job job : jobs) {
          work.add(pool.submit(job.task(), optionsFor(job)));
        }
        try (Progress progress = Progress.start("tasks", work.size(), human)) {
          for (TaskFuture<?> ignored : Futures.asCompleted(work)) {
            progress.step();
          }
        }
        explanation = pool.explain();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int exit = report(jobs, work, where, seconds, explanation);
    stats.print(out, human);
    return exit;
  }

  /**
   * Where one task ran, in the words {@code --explain} uses. With {@code --backend}, that backend. With
   * auto, read from the thread that ran it: the course's own label (download_some is "io-bound") is what
   * {@code --hints} declares, but without hints auto measures, and a download whose first run used a third
   * of a core goes to platform threads; a row must say so, as {@code --explain} does.
   */
  private String route(Backend where, Job job, @Nullable WorkerInfo w) {
    if (backend != null) {
      return "on " + where;
    }
    String place = w == null ? "(not run)" : placeOf(w);
    return hints ? "hint " + (job.kind() == Kind.CPU_BOUND ? "CPU" : "IO") + " -> " + place : "-> " + place;
  }

  /**
   * The auto pool's routes, told apart by its thread names ({@code <pool>-<n>-auto-io-}, {@code -cpu-},
   * {@code -probe-}); a task that ran in another JVM went to worker processes.
   */
  static String placeOf(WorkerInfo w) {
    if (w.pid() != ProcessHandle.current().pid()) {
      return "worker processes";
    }
    String thread = w.thread();
    if (thread.contains("-auto-io-")) {
      return "virtual threads";
    }
    if (thread.contains("-auto-cpu-")) {
      return "platform threads";
    }
    if (thread.contains("-auto-probe-")) {
      return "platform threads (first of its kind, measured)";
    }
    return thread;
  }

  private int report(List<Job> jobs, List<TaskFuture<?>> work, Backend where, double seconds, String explanation)
      throws InterruptedException {
    boolean human = !output.json;
    List<Object> rows = new ArrayList<>();
    int failed = 0;
    if (human) {
      out.println();
    }
    String routing = backend != null ? "backend" : hints ? "hints" : "auto";
    List<String> routes = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      routes.add(route(where, jobs.get(i), work.get(i).worker().orElse(null)));
    }
    int routeWidth = routes.stream().mapToInt(String::length).max().orElse(0);
    for (int i = 0; i < jobs.size(); i++) {
      Job job = jobs.get(i);
      TaskFuture<?> f = work.get(i);
      WorkerInfo w = f.worker().orElse(null);
      @Nullable String error = null;
      try {
        f.get();
      } catch (ExecutionException | CancellationException e) {
        failed++;
        error = Futures.unwrap(e).toString();
      }
      Double ran = f.timings().ran().map(d -> d.toNanos() / 1e9).orElse(null);
      if (human) {
        out.printf("  %-19s %-" + routeWidth + "s  %-34s %s%n", job.name(), routes.get(i),
            w == null ? "-" : w.name() + " (PID " + w.pid() + ")",
            error != null ? "FAILED: " + error : ran == null ? "" : String.format("%.2f sec", ran));
      } else {
        Map<String, @Nullable Object> row = new LinkedHashMap<>();
        row.put("name", job.name());
        row.put("kind", job.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        row.put("route", routes.get(i));
        row.put("backend", where.toString());
        row.put("ok", error == null);
        row.put("error", error);
        row.put("pid", w == null ? null : w.pid());
        row.put("worker", w == null ? null : w.name());
        row.put("seconds", ran);
        rows.add(row);
      }
    }
    if (human) {
      out.printf("%nDone in %.2f seconds (%d tasks%s).%n", seconds, jobs.size(),
          failed == 0 ? "" : ", " + failed + " failed");
      if (explain) {
        out.printf("%n%s", explanation);
      }
    } else {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("demo", "mixed");
      doc.put("routing", routing);
      doc.put("backend", where.toString());
      if (explain) {
        doc.put("explain", explanation);
      }
      doc.put("ok", failed == 0);
      doc.put("seconds", seconds);
      doc.put("tasks", rows);
      out.println(Json.write(doc));
    }
    return failed == 0 ? 0 : 1;
  }
}
