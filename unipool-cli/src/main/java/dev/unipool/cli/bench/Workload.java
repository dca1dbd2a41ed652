package dev.unipool.cli.bench;

/** The fixed suite: what each figure measures, its unit and which direction is better. */
enum Workload {
  STARTUP("startup", "start-up: Pool.of to first result (later runs: the startup cache is ready)", "ms", false),
  STARTUP_FIRST("startup_first", "start-up, first run: an empty startup cache", "ms", false),
  STARTUP_AOT("startup_aot", "start-up with a hand-made JDK AOT cache (jvmArgs)", "ms", false),
  ROUNDTRIP("roundtrip", "round trip: sequential submit().get(), median", "us", false),
  ROUNDTRIP_BUSY("roundtrip_busy", "round trip while a thread spins on every core, median", "us", false),
  FLOOR("floor", "floor: raw Unix-socket ping-pong between two processes, median", "us", false),
  FLOOR_BUSY("floor_busy", "floor while a thread spins on every core, median", "us", false),
  THROUGHPUT("throughput", "trivial tasks submitted at once, then gathered", "tasks/s", true),
  MAP("map", "map over small items, automatic chunking", "items/s", true),
  MAP_10K("map_10k", "map over 10,000 small items (back-to-back maps, as many items as the 1 M row)", "items/s", true),
  MAP_100K("map_100k", "map over 100,000 small items (back-to-back maps, as many items as the 1 M row)", "items/s", true),
  MAP_1M("map_1m", "map over 1,000,000 small items", "items/s", true),
  CPU("cpu_speedup", "CPU-bound do_math on n workers: speedup vs serial", "x", true),
  IO("io", "I/O-bound: tasks each waiting 50 ms", "tasks/s", true),
  PAYLOAD_SMALL("payload_small", "payload round trip, byte[] (smaller)", "MB/s", true),
  PAYLOAD_LARGE("payload_large", "payload round trip, byte[] (larger)", "MB/s", true),
  SHARE("share_read", "pool.share: every worker sums the whole shared segment (1 GB), warm read, all workers", "GB/s",
      true),
  IDLE_RSS("idle_rss",
      "idle worker memory: RSS after 2,000 tasks on a fresh pool and " + Mode.IDLE_MILLIS / 1000
          + " s idle (--tiny: at once), median of its workers",
      "MB", false);

  final String id;
  final String title;
  final String unit;
  final boolean higherIsBetter;

  Workload(String id, String title, String unit, boolean higherIsBetter) {
    this.id = id;
    this.title = title;
    this.unit = unit;
    this.higherIsBetter = higherIsBetter;
  }

  /** Whether this is one of the fixed-size map rows, and which of {@link Mode#mapSizes()} it takes. */
  int mapSizeIndex() {
    return switch (this) {
      case MAP_10K -> 0;
      case MAP_100K -> 1;
      case MAP_1M -> 2;
      default -> -1;
    };
  }

  /** Workloads that only exist where a worker JVM starts and a process boundary is crossed. */
  boolean workerProcessesOnly() {
    return this == STARTUP_FIRST || this == STARTUP_AOT || this == FLOOR || this == FLOOR_BUSY || this == IDLE_RSS;
  }
}
