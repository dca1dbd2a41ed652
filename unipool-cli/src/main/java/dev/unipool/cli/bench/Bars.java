package dev.unipool.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The ratios the bench reports: unipool's goals for worker processes (against a raw Unix-socket ping-pong
 * and Python's process pools) and for the cluster (against raw Hazelcast on the same members), plus a few
 * like-for-like comparisons of the in-process backends. A goal ("bar") is a measured comparison, never a
 * test: it says "meets" or "misses" for this run on this machine.
 */
final class Bars {
  /**
   * One ratio.
   *
   * @param title what is compared
   * @param value the ratio (or absolute figure), or NaN when it could not be computed
   * @param unit "x" for a ratio, else the figure's unit
   * @param goal the bar as text, e.g. "<= 3x", or "" when there is none
   * @param meets whether the bar is met; null when there is no bar or no value
   * @param detail the two medians compared, or why there is no value
   */
  record Ratio(String title, double value, String unit, String goal, @Nullable Boolean meets, String detail) {
    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("title", title);
      m.put("value", value);
      m.put("unit", unit);
      m.put("goal", goal);
      m.put("meets", meets);
      m.put("detail", detail);
      return m;
    }
  }

  private final List<Contender> all;
  private final List<Ratio> ratios = new ArrayList<>();

  private Bars(List<Contender> all) {
    this.all = all;
  }

  /**
   * The ratios for one run.
   *
   * @param backends unipool's backends and any raw baseline
   * @param peers the Python peers, empty if not run
   * @param rawCluster the cluster backend that {@link RawHazelcast} ran beside, or null if it did not run
   */
  static List<Ratio> compute(List<Contender> backends, List<Contender> peers, @Nullable String rawCluster) {
    List<Contender> all = new ArrayList<>(backends);
    all.addAll(peers);
    Bars b = new Bars(all);
    b.processGoals(!peers.isEmpty());
    if (rawCluster != null) {
      b.clusterGoals(rawCluster);
    }
    if (!peers.isEmpty()) {
      b.inProcess();
    }
    return b.ratios;
  }

  /** The worker-process bars (issue #14's goals); without peers only those against the floor or an absolute figure. */
  private void processGoals(boolean withPeers) {
    String proc = find("processes").map(Contender::name).orElse("processes");
    ratio("processes round trip vs raw socket ping-pong", proc, Workload.ROUNDTRIP, proc, Workload.FLOOR, 2, false);
    ratio("processes round trip vs raw ping-pong, busy cores", proc, Workload.ROUNDTRIP_BUSY, proc,
        Workload.FLOOR_BUSY, 2, false);
    absolute("processes large payload round trip", proc, Workload.PAYLOAD_LARGE, 2000);
    copyFloor(proc);
    absolute("processes trivial tasks at once", proc, Workload.THROUGHPUT, 1_000_000);
    atMost("processes idle worker RSS", proc, Workload.IDLE_RSS, 40);
    speedup(proc);
    double prestarted = figure(proc, Workload.STARTUP).map(f -> f.extraMedian("prestarted_ms")).orElse(Double.NaN);
    if (!Double.isNaN(prestarted)) {
      ratios.add(new Ratio("processes first result of a prestarted pool (Pool.awaitReady)", prestarted, "ms", "", null,
          proc + ", start-up paid before the first task"));
    }
    bareJvms(proc);
    if (!withPeers) {
      return;
    }
    for (String ppe : List.of("ProcessPoolExecutor (fork)", "ProcessPoolExecutor (spawn)")) {
      ratio("processes throughput vs " + ppe, proc, Workload.THROUGHPUT, ppe, Workload.THROUGHPUT, 30, true);
    }
    ratio("processes throughput vs multiprocessing.Pool.apply_async", proc, Workload.THROUGHPUT,
        "multiprocessing.Pool", Workload.THROUGHPUT, 5, true);
    ratio("processes map vs multiprocessing.Pool.map(chunksize=1000)", proc, Workload.MAP,
        "multiprocessing.Pool", Workload.MAP, 2, true);
    for (Workload w : List.of(Workload.MAP_10K, Workload.MAP_100K, Workload.MAP_1M)) {
      ratio("processes " + Report.label(w).replaceFirst(" \\[.*", "") + " vs multiprocessing.Pool.map(chunksize=1000)",
          proc, w, "multiprocessing.Pool", w, w == Workload.MAP_1M ? 5 : 2, true);
    }
    ratio("processes start-up, first run, vs ProcessPoolExecutor (spawn)", proc, Workload.STARTUP_FIRST,
        "ProcessPoolExecutor (spawn)", Workload.STARTUP, 1, false);
    ratio("processes start-up, later runs, vs ProcessPoolExecutor (spawn)", proc, Workload.STARTUP,
        "ProcessPoolExecutor (spawn)", Workload.STARTUP, 1, false);
    ratio("processes start-up with hand-made AOT cache vs ProcessPoolExecutor (spawn)", proc, Workload.STARTUP_AOT,
        "ProcessPoolExecutor (spawn)", Workload.STARTUP, 1, false);
    ratio("processes idle worker RSS vs ProcessPoolExecutor (spawn)", proc, Workload.IDLE_RSS,
        "ProcessPoolExecutor (spawn)", Workload.IDLE_RSS, 0, false);
  }

  /** The cluster bars: unipool adds at most 20% to the raw round trip; chunked map beats per-item tasks 10x. */
  private void clusterGoals(String cluster) {
    ratio("cluster round trip vs raw IExecutorService", cluster, Workload.ROUNDTRIP, RawHazelcast.NAME,
        Workload.ROUNDTRIP, 1.2, false);
    ratio("cluster map vs raw one task per item (small items)", cluster, Workload.MAP, RawHazelcast.NAME,
        Workload.MAP, 10, true);
  }

  private void inProcess() {
    String threads = find("threads").map(Contender::name).orElse("threads");
    ratio("threads round trip vs ThreadPoolExecutor", threads, Workload.ROUNDTRIP, "ThreadPoolExecutor",
        Workload.ROUNDTRIP, 0, false);
    ratio("threads throughput vs ThreadPoolExecutor", threads, Workload.THROUGHPUT, "ThreadPoolExecutor",
        Workload.THROUGHPUT, 0, true);
    ratio("virtual I/O-bound tasks/s vs asyncio", "virtual", Workload.IO, "asyncio", Workload.IO, 0, true);
    ratio("threads CPU speedup vs ThreadPoolExecutor", threads, Workload.CPU, "ThreadPoolExecutor", Workload.CPU,
        0, true);
  }

  private Optional<Contender> find(String prefix) {
    return all.stream().filter(c -> c.name().equals(prefix) || c.name().startsWith(prefix + ":")).findFirst();
  }

  private Optional<Figure> figure(String name, Workload w) {
    return all.stream().filter(c -> c.name().equals(name)).findFirst()
        .map(c -> c.figures().get(w)).filter(f -> f != null && f.ok());
  }

  /**
   * Adds a ratio {@code a / b} of two medians. {@code bar} is the goal (0 for none); with
   * {@code higherIsBetter} it is a lower bound on the ratio, else an upper bound.
   */
  private void ratio(String title, String a, Workload wa, String b, Workload wb, double bar, boolean higherIsBetter) {
    String goal = bar == 0 ? "" : (higherIsBetter ? ">= " : "<= ") + trim(bar) + "x";
    Optional<Figure> fa = figure(a, wa);
    Optional<Figure> fb = figure(b, wb);
    if (fa.isEmpty() || fb.isEmpty()) {
      ratios.add(new Ratio(title, Double.NaN, "x", goal, null,
          "not measured: " + (fa.isEmpty() ? a + " " + wa.id : b + " " + wb.id) + " has no figure"));
      return;
    }
    double value = fa.get().median() / fb.get().median();
    Boolean meets = bar == 0 ? null : (higherIsBetter ? value >= bar : value <= bar);
    String bName = wb == Workload.FLOOR ? "raw ping-pong" : b;
    ratios.add(new Ratio(title, value, "x", goal, meets, String.format("%s %s / %s %s %s",
        a, Report.number(fa.get().median()), bName, Report.number(fb.get().median()), fa.get().unit)));
  }

  /**
   * What the JDK alone costs to start as many JVMs as the pool has workers, beside the pool's start-up and
   * Python's spawn: no goal of its own, it says how much of the start-up gap is unipool's.
   */
  private void bareJvms(String proc) {
    Optional<Figure> start = figure(proc, Workload.STARTUP);
    double bare = start.map(f -> f.extraMedian("bare_jvms_ms")).orElse(Double.NaN);
    if (Double.isNaN(bare)) { // also when there is no start-up figure
      return;
    }
    String jvms = start.get().params.get("bare_jvms") + " bare JVMs";
    double later = start.get().median();
    ratios.add(new Ratio("processes start-up, later runs, vs " + jvms + " started at once (java -version)",
        later / bare, "x", "", null, String.format("%s %s / %s %s ms", proc, Report.number(later), jvms,
            Report.number(bare))));
    figure("ProcessPoolExecutor (spawn)", Workload.STARTUP).ifPresent(spawn -> ratios.add(new Ratio(
        jvms + " started at once vs ProcessPoolExecutor (spawn)", bare / spawn.median(), "x", "", null,
        String.format("%s %s / spawn %s ms: the JDK's own floor", jvms, Report.number(bare),
            Report.number(spawn.median())))));
  }

  /**
   * The large payload beside its floor, the same bytes copied as often in one JVM right after (no goal):
   * how much of the gap to the payload goal is the memory's own.
   */
  private void copyFloor(String proc) {
    Optional<Figure> payload = figure(proc, Workload.PAYLOAD_LARGE);
    double floor = payload.map(f -> f.extraMedian("copy_floor_mbps")).orElse(Double.NaN);
    if (Double.isNaN(floor)) {
      return;
    }
    double value = payload.get().median();
    ratios.add(new Ratio("processes large payload vs " + JavaSuite.FLOOR_COPIES + " copies of it in one JVM",
        value / floor, "x", "", null, String.format("%s %s / copies %s MB/s: the copies any round trip makes,"
            + " without process, codec or wake-up", proc, Report.number(value), Report.number(floor))));
  }

  /** Adds an absolute figure whose bar is an upper bound. */
  private void atMost(String title, String a, Workload w, double limit) {
    String goal = "<= " + trim(limit) + " " + w.unit;
    Optional<Figure> f = figure(a, w);
    if (f.isEmpty()) {
      ratios.add(new Ratio(title, Double.NaN, w.unit, goal, null, "not measured"));
      return;
    }
    double value = f.get().median();
    double pss = f.get().extraMedian("pss_mb");
    double bare = f.get().extraMedian("bare_jvm_mb");
    double atOnce = f.get().extraMedian("at_once_mb");
    ratios.add(new Ratio(title, value, w.unit, goal, value <= limit,
        String.format("%s, max of the workers %s %s%s%s%s", a, Report.number(f.get().extraMedian("max_mb")), w.unit,
            Double.isNaN(pss) ? "" : ", PSS (shared pages split) " + Report.number(pss) + " " + w.unit,
            Double.isNaN(atOnce) ? "" : ", right after the tasks " + Report.number(atOnce) + " " + w.unit,
            Double.isNaN(bare) ? "" : "; a bare JVM (the floor's echo process) " + Report.number(bare) + " " + w.unit)));
  }

  private void absolute(String title, String a, Workload w, double atLeast) {
    String goal = ">= " + trim(atLeast) + " " + w.unit;
    Optional<Figure> f = figure(a, w);
    if (f.isEmpty()) {
      ratios.add(new Ratio(title, Double.NaN, w.unit, goal, null, "not measured"));
      return;
    }
    double value = f.get().median();
    Object bytes = f.get().params.get("bytes");
    ratios.add(new Ratio(title, value, w.unit, goal, value >= atLeast, bytes instanceof Number n
        ? String.format("%s, %s MB payload", a, Report.number(n.doubleValue() / 1e6)) : a));
  }

  private void speedup(String proc) {
    Optional<Figure> f = figure(proc, Workload.CPU);
    if (f.isEmpty()) {
      ratios.add(new Ratio("processes CPU speedup within 10% of n", Double.NaN, "x", ">= 0.9 n", null, "not measured"));
      return;
    }
    int n = ((Number) f.get().params.getOrDefault("segments", 1)).intValue();
    double value = f.get().median();
    ratios.add(new Ratio("processes CPU speedup within 10% of n", value, "x", ">= " + trim(0.9 * n) + "x (n=" + n + ")",
        value >= 0.9 * n, String.format("%s on %d workers, %d cores", proc, n,
            Runtime.getRuntime().availableProcessors())));
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
