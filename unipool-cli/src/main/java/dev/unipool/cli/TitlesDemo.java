package dev.unipool.cli;

import dev.unipool.Backend;
import dev.unipool.Futures;
import dev.unipool.Pool;
import dev.unipool.SerializableCallable;
import dev.unipool.TaskFuture;
import dev.unipool.Worker;
import dev.unipool.WorkerInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code unipool demo titles}: the course's execution-pool program, one title download per task. */
@Command(
    name = "titles",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Downloads pages concurrently and prints each page's title (its first <h1>), like the course's"
          + " execution-pool demo.",
      "With no URL, starts a small web site on 127.0.0.1 and uses its pages, so it works offline."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every title was fetched", "1:some URL failed (reported on its line)", "2:usage error"},
    footerHeading = "%nExamples:%n",
    footer = {
      "  unipool demo titles",
      "  unipool demo titles --backend virtual",
      "  unipool demo titles --workers 2 https://example.com/ https://openjdk.org/",
      "  unipool demo titles --json"
    })
final class TitlesDemo implements Callable<Integer> {
  @Mixin PoolChoice pool = new PoolChoice();
  @Mixin JsonOption output = new JsonOption();
  @Mixin StatsOption stats = new StatsOption();

  @Parameters(paramLabel = "URL", arity = "0..*", description = "Pages to fetch (default: the local demo site).")
  List<String> urls = new ArrayList<>();

  private final PrintWriter out;

  TitlesDemo(PrintWriter out) {
    this.out = out;
  }

  /**
   * The task: fetch one page and extract its title. A record of strings, so it can travel to a worker
   * process; the HTTP client is looked up inside the worker, never captured.
   *
   * @param url the page
   * @param announce whether to print the course's "Getting title from" line when it starts
   */
  record GetTitle(String url, boolean announce) implements SerializableCallable<String> {
    @Override
    public String call() throws Exception {
      if (announce) {
        WorkerInfo me = Worker.current();
        System.out.println("Getting title from " + PageFetcher.display(url) + ", PID: " + me.pid()
            + ", worker: " + me.name());
      }
      return TitleExtractor.title(PageFetcher.fetchHtml(url));
    }
  }

  /** What became of one URL. */
  private record Outcome(String url, @Nullable String title, @Nullable String error, @Nullable WorkerInfo worker) {}

  @Override
  public Integer call() throws InterruptedException {
    Backend backend = pool.backend();
    boolean human = !output.json;
    long start = System.nanoTime();
    List<Outcome> outcomes;
    try (LocalWebServer site = urls.isEmpty() ? LocalWebServer.start() : null) {
      List<String> targets = site == null ? urls : site.pageUrls();
      List<TaskFuture<String>> work = new ArrayList<>();
      try (Pool p = stats.watch(PoolChoice.open(backend))) {
        for (String url : targets) {
          work.add(p.submit(new GetTitle(url, human)));
        }
        if (human) {
          out.println("Waiting for downloads...");
        }
        try (Progress progress = Progress.start("downloads", work.size(), human)) {
          for (TaskFuture<String> ignored : Futures.asCompleted(work)) {
            progress.step();
          }
        }
      }
      outcomes = new ArrayList<>();
      for (int i = 0; i < targets.size(); i++) {
        outcomes.add(outcome(targets.get(i), work.get(i)));
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long failed = outcomes.stream().filter(o -> o.error() != null).count();
    if (human) {
      printReport(outcomes, failed);
    } else {
      printJson(backend, outcomes, failed, seconds);
    }
    stats.print(out, human);
    return failed == 0 ? 0 : 1;
  }

  private static Outcome outcome(String url, TaskFuture<String> f) throws InterruptedException {
    WorkerInfo worker = f.worker().orElse(null);
    try {
      return new Outcome(url, f.get(), null, worker);
    } catch (ExecutionException e) {
      Throwable cause = Futures.unwrap(e);
      String why = cause instanceof PageFetcher.FetchException ? cause.getMessage() : cause.toString();
      return new Outcome(url, null, why == null ? cause.getClass().getSimpleName() : why, worker);
    } catch (CancellationException e) {
      return new Outcome(url, null, "cancelled", worker);
    }
  }

  /**
   * One line per URL, in submission order: the URL, its title (or error), and the worker that ran it. On
   * a cluster the tasks' own "Getting title from" lines print on the members, so this is where the client
   * shows where the work went.
   */
  private void printReport(List<Outcome> outcomes, long failed) {
    out.println("Done");
    int width = outcomes.stream().mapToInt(o -> PageFetcher.display(o.url()).length()).max().orElse(0);
    int shownWidth = outcomes.stream().mapToInt(o -> shown(o).length()).max().orElse(0);
    for (Outcome o : outcomes) {
      out.printf("%-" + width + "s  %-" + shownWidth + "s  %s%n", PageFetcher.display(o.url()), shown(o),
          ranOn(o.worker()));
    }
    if (failed > 0) {
      out.println(failed + " of " + outcomes.size() + " URLs failed.");
    }
  }

  private static String shown(Outcome o) {
    return o.error() == null ? String.valueOf(o.title()) : "ERROR: " + o.error();
  }

  /** Where a task ran, from {@link TaskFuture#worker()}: its worker's name, pid and host. */
  static String ranOn(@Nullable WorkerInfo w) {
    return w == null ? "(never started)" : "(" + w.name() + ", pid " + w.pid() + ", " + w.host() + ")";
  }

  private void printJson(Backend backend, List<Outcome> outcomes, long failed, double seconds) {
    List<Object> results = new ArrayList<>();
    for (Outcome o : outcomes) {
      Map<String, @Nullable Object> r = new LinkedHashMap<>();
      r.put("url", o.url());
      r.put("ok", o.error() == null);
      r.put("title", o.title());
      r.put("error", o.error());
      r.put("pid", o.worker() == null ? null : o.worker().pid());
      r.put("worker", o.worker() == null ? null : o.worker().name());
      r.put("host", o.worker() == null ? null : o.worker().host());
      results.add(r);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("demo", "titles");
    doc.put("backend", backend.toString());
    doc.put("ok", failed == 0);
    doc.put("failed", failed);
    doc.put("seconds", seconds);
    doc.put("results", results);
    out.println(Json.write(doc));
  }
}
