package dev.unipool.cli.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How big the suite is. {@code FULL} is the real measurement (about ten minutes with peers on 2 cores),
 * {@code QUICK} a look in a few minutes, {@code TINY} only proves that everything runs (for tests).
 *
 * @param reps measured repetitions per backend (after one warm-up round)
 * @param roundTrips sequential submit().get() calls per repetition
 * @param tasks trivial tasks submitted at once
 * @param mapItems items for {@code map}
 * @param mapSizes items for the fixed-size map rows (10 k, 100 k, 1 M in the real modes)
 * @param cpuIterations do_math iterations, serial and split across the workers
 * @param ioTasks 50 ms waits on backends without a fixed limit (virtual threads)
 * @param ioTasksPerWorker 50 ms waits per worker on bounded backends (10,000 there would take minutes)
 * @param smallPayload bytes of the smaller payload
 * @param largePayload bytes of the larger payload
 * @param pings raw socket round trips per repetition of the floor
 * @param rawItems items for raw Hazelcast's one-task-per-item submission ({@code --cluster}), fewer than
 *     {@code mapItems}: at a few thousand tasks a second, as many would take minutes
 * @param warmFraction the warm-up round's sizes relative to the measured ones
 * @param shareBytes bytes shared with {@code pool.share} and read whole by every worker
 * @param idleMillis how long a worker has done nothing when its idle memory is read: HotSpot returns its
 *     compilers' scratch memory on a 5-second timer, and the native heap trim every 2 seconds after that, so
 *     a worker read at once still holds some 7 MB of memory its JIT used for the last compilations
 */
record Mode(
    String name,
    int reps,
    int roundTrips,
    int tasks,
    int mapItems,
    List<Integer> mapSizes,
    long cpuIterations,
    int ioTasks,
    int ioTasksPerWorker,
    int smallPayload,
    int largePayload,
    int pings,
    int rawItems,
    double warmFraction,
    long shareBytes,
    long idleMillis) {

  private static final int MB = 1_000_000;
  /** The sizes the map goal names: a user's map is rarely as big as the suite's one. */
  private static final List<Integer> SIZES = List.of(10_000, 100_000, 1_000_000);
  /** Past the 5-second cleaner and the 2-second trim after it, with a second to spare. */
  static final long IDLE_MILLIS = 8_000;

  static final Mode FULL = new Mode("full", 5, 20_000, 100_000, 1_000_000, SIZES, 400_000_000L, 10_000, 20,
      10 * MB, 100 * MB, 20_000, 20_000, 0.2, 1L << 30, IDLE_MILLIS);
  static final Mode QUICK = new Mode("quick", 3, 3_000, 20_000, 200_000, SIZES, 100_000_000L, 2_000, 6,
      10 * MB, 100 * MB, 3_000, 5_000, 0.2, 64L << 20, IDLE_MILLIS);
  static final Mode TINY = new Mode("tiny", 2, 200, 2_000, 20_000, List.of(1_000, 2_000, 5_000), 2_000_000L, 200, 2,
      MB / 4, MB, 300, 500, 0.5, 1L << 20, 0);

  /** The warm-up round: the same workloads, smaller. */
  Mode warmUp() {
    return new Mode(name + "-warmup", 1, scale(roundTrips), scale(tasks), scale(mapItems),
        mapSizes.stream().map(this::scale).toList(),
        Math.max(1, (long) (cpuIterations * warmFraction)), scale(ioTasks), Math.max(1, ioTasksPerWorker / 4),
        scale(smallPayload), scale(smallPayload), scale(pings), scale(rawItems), warmFraction,
        Math.max(1, (long) (shareBytes * warmFraction)), 0); // nothing is read in the warm-up: no need to idle
  }

  /**
   * How many maps of a fixed-size row make one sample: as many whole maps as fit in the largest size, so that
   * every row times about as much work (the Python peers use the same rule).
   *
   * @param w one of the fixed-size map rows
   * @return at least 1
   */
  int mapRepeats(Workload w) {
    int largest = mapSizes.stream().mapToInt(Integer::intValue).max().orElse(1);
    return Math.max(1, largest / mapSizes.get(w.mapSizeIndex()));
  }

  private int scale(int n) {
    return Math.max(1, (int) (n * warmFraction));
  }

  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", name);
    m.put("repetitions", reps);
    m.put("warmUpRounds", 1);
    m.put("roundTrips", roundTrips);
    m.put("tasks", tasks);
    m.put("mapItems", mapItems);
    m.put("mapSizes", mapSizes);
    m.put("cpuIterations", cpuIterations);
    m.put("ioTasks", ioTasks);
    m.put("ioTasksPerWorker", ioTasksPerWorker);
    m.put("smallPayloadBytes", smallPayload);
    m.put("largePayloadBytes", largePayload);
    m.put("pings", pings);
    m.put("rawItems", rawItems);
    m.put("shareBytes", shareBytes);
    m.put("idleMillis", idleMillis);
    return m;
  }
}
