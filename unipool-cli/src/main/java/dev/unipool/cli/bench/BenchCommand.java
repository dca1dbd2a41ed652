package dev.unipool.cli.bench;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.cli.PoolChoice;
import dev.unipool.cli.Progress;
import dev.unipool.cli.UsageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code unipool bench}: runs the fixed suite on each requested backend in one process, alternating the
 * backends from one repetition to the next so that drift of a shared machine hits them alike, after one
 * warm-up round; optionally runs the same workloads on Python's standard-library pools; with
 * {@code --cluster}, also measures raw Hazelcast on the same members ({@link RawHazelcast}); prints a table
 * and writes JSON and a self-contained HTML report.
 */
@Command(
    name = "bench",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Measures each backend on a fixed suite: start-up, round trip, many tiny tasks, map, CPU-bound speedup,"
          + " I/O-bound waits, payload round trips, and for worker processes the raw socket floor."
          + " Backends alternate between repetitions; the report gives medians and min..max.",
      "With --peers, Python's ThreadPoolExecutor, ProcessPoolExecutor (fork and spawn), multiprocessing.Pool"
          + " and asyncio run the same workloads (python3 needed), and the ratios are printed.",
      "With --cluster, the cluster backend runs the suite on running members (start them with unipool member),"
          + " and raw Hazelcast IExecutorService (hazelcast-raw) on the same members gives the round trip and"
          + " per-item submission that the cluster bars compare with."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:a workload failed on some backend (see the notes)", "2:usage error"},
    footerHeading = "%nExamples:%n",
    footer = {
      "  unipool bench --quick",
      "  unipool bench --mixed                  # auto vs threads, virtual, cached pool on CPU + I/O at once",
      "  unipool bench --backends threads,processes --workers 2",
      "  unipool bench --quick --backends inline --cluster 127.0.0.1:5801,127.0.0.1:5802",
      "  unipool bench --peers --json bench.json --html bench.html"
    })
public final class BenchCommand implements Callable<Integer> {
  private static final String DEFAULT_BACKENDS = "inline,threads,virtual,processes";
  /** Where worker processes keep their startup cache (see {@code Backend.Processes#startupCache}). */
  static final String STARTUP_CACHE_DIR = Backend.Processes.STARTUP_CACHE_DIR_PROPERTY;

  /** First-run start-ups so far: each gets an empty cache directory of its own. */
  private int firstRuns;

  @Option(names = "--quick",
      description = "Small sizes and few repetitions: about three and a half minutes on 2 cores with --peers.")
  boolean quick;

  /** Only proves that everything runs, in seconds; for tests. */
  @Option(names = "--tiny", hidden = true)
  boolean tiny;

  @Option(
      names = "--backends",
      paramLabel = "B",
      split = ",",
      description = "Backends to measure (" + Backend.VALID_FORMS + "). Default: " + DEFAULT_BACKENDS + ".")
  List<String> backends = new ArrayList<>(List.of(DEFAULT_BACKENDS.split(",")));

  @Option(
      names = {"-w", "--workers"},
      paramLabel = "N",
      description = "Workers for threads and processes, and the split of CPU work. Default: one per core.")
  @Nullable Integer workers;

  @Option(names = "--peers", description = "Also run the workloads on Python's standard-library pools.")
  boolean peers;

  @Option(
      names = "--cluster",
      paramLabel = "[NAME@]HOST:PORT[,HOST:PORT...]",
      description = "Also measure these cluster members: adds cluster:HOST:PORT,... to --backends, plus raw"
          + " Hazelcast IExecutorService on the same members (round trip, one task per item) and the ratios."
          + " NAME is their cluster name; without it, the one unipool member generated for you.")
  @Nullable String cluster;

  @Option(names = "--mixed", description = "Instead of the suite: CPU-bound and waiting tasks at once on auto,"
      + " threads, virtual and a cached thread pool (makespan and I/O p99).")
  boolean mixed;

  @Option(names = "--json", paramLabel = "FILE", description = "Write every sample and figure as JSON.")
  @Nullable Path json;

  @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML report with charts.")
  @Nullable Path html;

  @Mixin dev.unipool.cli.StatsOption stats = new dev.unipool.cli.StatsOption();

  @Spec @Nullable CommandSpec spec;

  private final PrintWriter out;

  /**
   * Creates the command.
   *
   * @param out where the report goes
   */
  public BenchCommand(PrintWriter out) {
    this.out = out;
  }

  private int runMixed(Mode mode) throws IOException {
    List<MixedBench.Row> rows;
    try {
      rows = MixedBench.run(out, mode);
    } catch (Exception e) {
      out.println("the mixed workload failed: " + e);
      return 1;
    }
    if (json != null) {
      Map<String, Object> doc = new java.util.LinkedHashMap<>();
      doc.put("command", commandLine());
      doc.put("machine", machine());
      doc.put("mode", mode.name());
      doc.put("mixed", MixedBench.toJson(rows));
      Files.writeString(json, dev.unipool.cli.Json.write(doc) + "\n", StandardCharsets.UTF_8);
      out.println("JSON written to " + json);
    }
    return 0;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (quick && tiny) {
      throw new UsageException("--quick and --tiny exclude each other");
    }
    Mode mode = tiny ? Mode.TINY : quick ? Mode.QUICK : Mode.FULL;
    if (mixed) {
      return runMixed(mode);
    }
    int cores = Runtime.getRuntime().availableProcessors();
    int n = workers == null ? cores : workers;
    List<Backend> chosen = new ArrayList<>();
    for (String spec : backends) {
      if (spec.isBlank()) {
        continue;
      }
      Backend b;
      try {
        b = PoolChoice.resolve(spec, spec.contains(":") ? null : n);
      } catch (UsageException e) {
        throw new UsageException(String.valueOf(e.getMessage()).replaceFirst("^--backend: ", "--backends: "));
      }
      if (chosen.stream().anyMatch(c -> c.equals(b))) {
        throw new UsageException("--backends names " + b + " twice");
      }
      chosen.add(b);
    }
    Backend.Cluster raw = null;
    if (cluster != null) {
      Backend b;
      try {
        b = PoolChoice.resolve("cluster:" + cluster.strip(), null);
      } catch (UsageException e) {
        throw new UsageException(String.valueOf(e.getMessage()).replaceFirst("^--backend: ", "--cluster: "));
      }
      if (!(b instanceof Backend.Cluster c)) {
        throw new IllegalStateException("cluster:" + cluster + " parsed as " + b);
      }
      raw = c;
      if (!chosen.contains(c)) {
        chosen.add(c);
      }
    }
    if (chosen.isEmpty()) {
      throw new UsageException("--backends names no backend");
    }
    String command = commandLine();
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    Map<String, Object> machine = machine();
    List<String> notes = new ArrayList<>();
    Path dir = Files.createTempDirectory("unipool-bench-");
    List<Contender> measured;
    Peers.Outcome peerOutcome;
    try {
      out.printf("unipool bench (%s): %s%s on %d cores, %d repetitions after a warm-up round, each on a collected heap%s.%n", mode.name(),
          String.join(", ", chosen.stream().map(Backend::toString).toList()),
          raw == null ? "" : " and " + RawHazelcast.NAME, cores, mode.reps(), peers ? ", then the Python peers" : "");
      out.flush();
      measured = runSuite(mode, chosen, raw, dir, notes);
      if (peers) {
        peerOutcome = Peers.run(mode, n, dir, true);
        if (peerOutcome.skipped() != null) {
          notes.add("peers: " + peerOutcome.skipped());
        }
      } else {
        peerOutcome = new Peers.Outcome(List.of(), null, "not requested (--peers)");
      }
    } finally {
      deleteTree(dir);
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    machine.put("python", peerOutcome.python());
    List<Bars.Ratio> ratios = Bars.compute(measured, peerOutcome.peers(), raw == null ? null : raw.toString());
    out.println();
    Report.print(out, measured, peerOutcome.peers(), ratios, notes);
    out.printf("%nDone in %.0f s.%n", elapsed);
    stats.print(out, true); // one pool per backend: every workload but start-up ran on it

    Map<String, Object> doc = document(command, started, elapsed, machine, mode, n, measured, peerOutcome, ratios,
        notes);
    if (json != null) {
      Files.writeString(json, dev.unipool.cli.Json.write(doc) + "\n", StandardCharsets.UTF_8);
      out.println("JSON written to " + json);
    }
    if (html != null) {
      Files.writeString(html, HtmlReport.render(command, machine, mode, measured, peerOutcome.peers(), ratios, notes),
          StandardCharsets.UTF_8);
      out.println("HTML report written to " + html);
    }
    boolean failed = measured.stream().flatMap(c -> c.figures().values().stream())
        .anyMatch(f -> f.failed() && f.reason().startsWith("failed"));
    return failed ? 1 : 0;
  }

  private List<Contender> runSuite(Mode mode, List<Backend> chosen, Backend.@Nullable Cluster rawOn, Path dir,
      List<String> notes) throws InterruptedException {
    JavaSuite suite = new JavaSuite();
    List<Contender> contenders = new ArrayList<>();
    List<@Nullable Pool> pools = new ArrayList<>();
    // The bench's workers keep their startup cache in its temporary directory, not in the user's: the
    // "later runs" figure must not depend on what earlier runs of anything left there.
    String userCacheDir = System.setProperty(STARTUP_CACHE_DIR, dir.resolve("startup-cache").toString());
    RawHazelcast raw = null;
    AotCache aot = null;
    Floor floor = null;
    String floorReason = null;
    try {
      for (Backend b : chosen) {
        if (b instanceof Backend.Processes p) {
          primeStartupCache(p, dir.resolve("startup-cache"), notes);
        }
      }
      for (Backend b : chosen) {
        Contender c = new Contender(b.toString(), Contender.Kind.UNIPOOL);
        contenders.add(c);
        Pool pool = null;
        try {
          pool = stats.watch(Pool.of(b)); // default options, as a user's first pool (the demos' may add some)
        } catch (IllegalStateException e) {
          for (Workload w : Workload.values()) {
            c.figures().put(w, Figure.notApplicable(w, "the pool did not open: " + e.getMessage()));
          }
        }
        pools.add(pool);
        if (b instanceof Backend.Processes p && pool != null) {
          aot = AotCache.prepare(p, dir);
          if (aot.backend() == null) {
            c.figures().put(Workload.STARTUP_AOT, Figure.notApplicable(Workload.STARTUP_AOT, aot.note()));
          } else {
            c.figure(Workload.STARTUP_AOT).note(aot.note());
          }
          try {
            floor = Floor.start(dir);
          } catch (IOException e) {
            floorReason = "the echo process did not start: " + e.getMessage();
            c.figures().put(Workload.FLOOR, Figure.notApplicable(Workload.FLOOR, floorReason));
            c.figures().put(Workload.FLOOR_BUSY, Figure.notApplicable(Workload.FLOOR_BUSY, floorReason));
          }
        } else if (pool != null) {
          String kind = b instanceof Backend.Cluster ? "cluster backend: members are started separately"
              : "in-process backend: no JVM to start";
          for (Workload w : Workload.values()) {
            if (w.workerProcessesOnly()) {
              c.figures().put(w, Figure.notApplicable(w, w == Workload.FLOOR || w == Workload.FLOOR_BUSY
                  ? b instanceof Backend.Cluster ? "the raw floor is measured for worker processes only"
                      : "in-process backend: no process boundary to cross"
                  : kind));
            }
          }
          if (b instanceof Backend.Cluster) {
            c.figures().put(Workload.SHARE, Figure.notApplicable(Workload.SHARE,
                "a cluster cannot share memory: its members are other machines (pool.share refuses)"));
          }
        }
      }
      if (rawOn != null) {
        Contender c = new Contender(RawHazelcast.NAME, Contender.Kind.BASELINE);
        contenders.add(c);
        pools.add(null);
        String na;
        try {
          raw = RawHazelcast.connect(rawOn);
          na = "raw Hazelcast baseline: only the round trip and per-item submission (the map row) are measured";
        } catch (RuntimeException e) {
          na = "the raw Hazelcast client did not connect: " + e.getMessage();
        }
        for (Workload w : Workload.values()) {
          if (raw == null || !RawHazelcast.MEASURED.contains(w)) {
            c.figures().put(w, Figure.notApplicable(w, na));
          }
        }
      }
      byte[] small = JavaSuite.payloadOf(mode.smallPayload());
      byte[] large = JavaSuite.payloadOf(mode.largePayload());
      Mode warm = mode.warmUp();
      byte[] warmPayload = JavaSuite.payloadOf(warm.smallPayload());
      int total = (mode.reps() + 1) * contenders.size() * Workload.values().length;
      try (Progress bar = Progress.start("workload runs", total, true)) {
        for (int rep = 0; rep <= mode.reps(); rep++) {
          boolean record = rep > 0;
          Mode m = record ? mode : warm;
          for (int k = 0; k < contenders.size(); k++) {
            // Rotate the order each repetition, so no backend always runs first (or right after another).
            int i = (k + rep) % contenders.size();
            Contender c = contenders.get(i);
            Pool pool = pools.get(i);
            RawHazelcast baseline = c.kind() == Contender.Kind.BASELINE ? raw : null;
            for (Workload w : Workload.values()) {
              Figure f = record ? c.figure(w) : new Figure(w);
              if (record) {
                // Each measured run starts on a collected heap, as JMH's -gc does: otherwise the garbage
                // of the workload before decides where this one's young collections land (60-100 ms
                // each here, on a map whose warm run takes 40 ms).
                System.gc();
              }
              if (pool != null && !c.figure(w).failed()) {
                Backend startWith = w == Workload.STARTUP_AOT && aot != null ? aot.backend() : pool.backend();
                Floor fl = floor;
                // The large payload is warmed at full size: a worker's shared-memory region grows to fit
                // the largest payload it has seen and stays, so only a full-size warm-up makes the
                // measured runs the steady state the other workloads are measured in.
                JavaSuite.guarded(f, () -> runOne(suite, pool, startWith, fl, w, m, f,
                    record ? small : warmPayload, large, dir));
              } else if (baseline != null && !c.figure(w).failed()) {
                JavaSuite.guarded(f, () -> baseline.run(w, m, f));
              }
              bar.step();
            }
          }
        }
      }
      for (Contender c : contenders) {
        Figure t = c.figure(Workload.THROUGHPUT);
        double first = t.extraMedian("first_round_per_s");
        if (t.ok() && first < 0.8 * t.median()) {
          t.note(String.format("tasks at once measured once the rate is flat, after a median %.0f rounds; the first"
              + " round of each run (after the other workloads) ran at a median %,.0f tasks/s: JIT (re)compilation",
              t.extraMedian("warm_up_rounds"), first));
        }
      }
      return contenders;
    } finally {
      for (Pool p : pools) {
        if (p != null) {
          p.close();
        }
      }
      restore(STARTUP_CACHE_DIR, userCacheDir);
      if (raw != null) {
        raw.close();
      }
      if (floor != null) {
        try {
          floor.close();
        } catch (IOException e) {
          notes.add("the echo process did not close cleanly: " + e);
        }
      }
    }
  }

  private void runOne(JavaSuite suite, Pool pool, @Nullable Backend startWith, @Nullable Floor floor,
      Workload w, Mode m, Figure f, byte[] small, byte[] large, Path dir) throws Exception {
    switch (w) {
      case STARTUP -> {
        suite.startup(pool.backend(), f);
        suite.prestarted(pool.backend(), f);
        if (pool.backend() instanceof Backend.Processes p) {
          suite.bareJvms(p.workers(), f);
        }
      }
      case STARTUP_FIRST -> {
        // A cache directory of its own, empty: what a user's very first pool meets.
        Path fresh = dir.resolve("first-run-" + ++firstRuns);
        String later = System.setProperty(STARTUP_CACHE_DIR, fresh.toString());
        try {
          suite.startup(pool.backend(), f);
        } finally {
          restore(STARTUP_CACHE_DIR, later);
        }
        // The cache this run recorded is finished in the background; let that end before the next
        // workload, so that it does not compete with it (not counted).
        awaitStartupCache(fresh);
      }
      case ROUNDTRIP_BUSY -> {
        try (Spinners busy = Spinners.onEveryCore()) {
          suite.roundTrip(pool, m.roundTrips(), f);
        }
      }
      case FLOOR_BUSY -> {
        if (floor == null) {
          throw new IllegalStateException("no echo process");
        }
        f.params.put("pings", m.pings());
        f.params.put("spinners", Runtime.getRuntime().availableProcessors());
        try (Spinners busy = Spinners.onEveryCore()) {
          f.add(floor.medianMicros(m.pings()));
        }
      }
      case MAP_10K, MAP_100K, MAP_1M -> suite.map(pool, m.mapSizes().get(w.mapSizeIndex()), m.mapRepeats(w), f);
      case IDLE_RSS -> {
        suite.idleRss(pool.backend(), m.idleMillis(), f);
        if (floor != null) {
          f.extra("bare_jvm_mb", floor.rssMegabytes());
        }
      }
      case STARTUP_AOT -> {
        if (startWith == null) {
          throw new IllegalStateException("no AOT cache");
        }
        suite.startup(startWith, f);
      }
      case ROUNDTRIP -> suite.roundTrip(pool, m.roundTrips(), f);
      case THROUGHPUT -> suite.throughput(pool, m.tasks(), f);
      case MAP -> suite.map(pool, m.mapItems(), f);
      case CPU -> suite.cpu(pool, m.cpuIterations(), f);
      case IO -> suite.io(pool, m.ioTasks(), m.ioTasksPerWorker(), f);
      case PAYLOAD_SMALL -> suite.payload(pool, small, f);
      case PAYLOAD_LARGE -> suite.payload(pool, large, f);
      case SHARE -> suite.share(pool, m.shareBytes(), f);
      case FLOOR -> {
        if (floor == null) {
          throw new IllegalStateException("no echo process");
        }
        f.params.put("pings", m.pings());
        f.params.put("messageBytes", Floor.MESSAGE_BYTES);
        f.add(floor.medianMicros(m.pings()));
      }
    }
  }

  /**
   * One pool started and closed before anything is measured, so that the "later runs" start-up finds its
   * startup cache ready, as a user's second run does.
   */
  private static void primeStartupCache(Backend.Processes b, Path cacheDir, List<String> notes) {
    // The recording worker starts more slowly than the others; a pool closed before it has started kills
    // it, and it records nothing. So the priming pool runs until every worker has answered.
    try (Pool p = Pool.of(b)) {
      java.util.Set<Long> answered = new java.util.HashSet<>();
      for (int i = 0; i < 100_000 && answered.size() < b.workers(); i++) {
        p.submit(() -> 1).worker().ifPresent(w -> answered.add(w.pid()));
        List<dev.unipool.TaskFuture<Integer>> batch = new ArrayList<>();
        for (int k = 0; k < 4 * b.workers(); k++) {
          batch.add(p.submit(() -> 1));
        }
        for (dev.unipool.TaskFuture<Integer> f : batch) {
          f.get();
          f.worker().ifPresent(w -> answered.add(w.pid()));
        }
      }
    } catch (Exception e) {
      notes.add("the startup cache was not primed: " + e);
      return;
    }
    if (!awaitStartupCache(cacheDir)) {
      notes.add(b + ": no startup cache in " + cacheDir + " (turned off, or the JDK cannot use one here);"
          + " later runs start without one");
    }
  }

  /**
   * Waits (up to two minutes) until a startup cache directory holds a cache and nothing is being
   * recorded into it any more; returns whether a cache is there.
   */
  private static boolean awaitStartupCache(Path cacheDir) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
    try {
      while (System.nanoTime() < deadline) {
        boolean busy;
        boolean ready;
        try (Stream<Path> files = Files.exists(cacheDir) ? Files.list(cacheDir) : Stream.empty()) {
          List<String> names = files.map(f -> f.getFileName().toString()).toList();
          busy = names.stream().anyMatch(n -> n.endsWith(".lock"));
          ready = names.stream().anyMatch(n -> n.endsWith(".aot"));
        }
        if (!busy) {
          return ready;
        }
        Thread.sleep(100); // the JDK's create step runs in another process; nothing to wait on but its files
      }
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  private static void restore(String property, @Nullable String value) {
    if (value == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, value);
    }
  }

  /** The command as typed, for the report, less any cluster name ({@code NAME@HOST:PORT}): it is a secret. */
  private String commandLine() {
    List<String> args = spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs();
    return "unipool " + String.join(" ", args.stream().map(a -> a.replaceAll("[^\\s,=@]+@", "NAME@")).toList());
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("cpu", cpuModel());
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      m.put("memoryBytes", os.getTotalMemorySize());
    }
    m.put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    Map<String, Object> jvm = new LinkedHashMap<>();
    jvm.put("version", Runtime.version().toString());
    jvm.put("vendor", System.getProperty("java.vm.vendor", "?"));
    jvm.put("name", System.getProperty("java.vm.name", "?"));
    jvm.put("home", System.getProperty("java.home", "?"));
    m.put("jvm", jvm);
    Map<String, Object> os = new LinkedHashMap<>();
    os.put("name", System.getProperty("os.name", "?"));
    os.put("version", System.getProperty("os.version", "?"));
    os.put("arch", System.getProperty("os.arch", "?"));
    m.put("os", os);
    return m;
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.toLowerCase(Locale.ROOT).startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static Map<String, Object> document(String command, Instant started, double elapsed,
      Map<String, Object> machine, Mode mode, int workers, List<Contender> measured, Peers.Outcome peerOutcome,
      List<Bars.Ratio> ratios, List<String> notes) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("schema", "unipool-bench/1");
    doc.put("command", command);
    doc.put("started", started.toString());
    doc.put("elapsedSeconds", elapsed);
    doc.put("machine", machine);
    Map<String, Object> settings = mode.toJson();
    settings.put("workers", workers);
    doc.put("settings", settings);
    List<Object> workloads = new ArrayList<>();
    for (Workload w : Workload.values()) {
      Map<String, Object> wm = new LinkedHashMap<>();
      wm.put("id", w.id);
      wm.put("title", w.title);
      wm.put("unit", w.unit);
      wm.put("higherIsBetter", w.higherIsBetter);
      workloads.add(wm);
    }
    doc.put("workloads", workloads);
    doc.put("backends", contenders(measured));
    Map<String, Object> peerDoc = new LinkedHashMap<>();
    peerDoc.put("status", peerOutcome.skipped() == null ? "ok" : "skipped");
    if (peerOutcome.skipped() != null) {
      peerDoc.put("reason", peerOutcome.skipped());
    }
    peerDoc.put("python", peerOutcome.python());
    peerDoc.put("peers", contenders(peerOutcome.peers()));
    doc.put("peers", peerDoc);
    doc.put("ratios", ratios.stream().map(Bars.Ratio::toJson).toList());
    doc.put("notes", notes);
    return doc;
  }

  private static List<Object> contenders(List<Contender> list) {
    List<Object> result = new ArrayList<>();
    for (Contender c : list) {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("name", c.name());
      cm.put("kind", c.kind().id());
      Map<String, Object> results = new LinkedHashMap<>();
      for (Workload w : Workload.values()) {
        Figure f = c.figures().get(w);
        results.put(w.id, (f == null ? Figure.notApplicable(w, "not measured") : f).toJson());
      }
      cm.put("results", results);
      result.add(cm);
    }
    return result;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
