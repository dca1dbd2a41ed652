package dev.unipool.cli.bench;

/** The fixed suite: what each figure measures, its unit and which direction is better. */
enum Workload {
  STARTUP("startup", "start-up: Pool.of to first result", "ms", false),
  STARTUP_AOT("startup_aot", "start-up with a JDK AOT cache", "ms", false),
  ROUNDTRIP("roundtrip", "round trip: sequential submit().get(), median", "us", false),
  THROUGHPUT("throughput", "trivial tasks submitted at once, then gathered", "tasks/s", true),
  MAP("map", "map over small items, automatic chunking", "items/s", true),
  CPU("cpu_speedup", "CPU-bound do_math on n workers: speedup vs serial", "x", true),
  IO("io", "I/O-bound: tasks each waiting 50 ms", "tasks/s", true),
  PAYLOAD_SMALL("payload_small", "payload round trip, byte[] (smaller)", "MB/s", true),
  PAYLOAD_LARGE("payload_large", "payload round trip, byte[] (larger)", "MB/s", true),
  FLOOR("floor", "floor: raw Unix-socket ping-pong between two processes, median", "us", false);

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
}
