package dev.unipool;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A snapshot of what a {@link Pool} has done and is doing: {@link Pool#stats()}. An immutable value.
 *
 * <p>Every task counts once: a {@code map} call counts its chunks, each of which is one task. The task
 * counters always add up: {@code submitted == completed + failed + cancelled + running + queued}, in every
 * snapshot, even one taken while tasks come and go (each task is then counted in one of the states it
 * passed through during the call). Once the pool is quiet the counters are exact. The worker list is read
 * after the counters and is not atomic with them.
 *
 * <pre>{@code
 * PoolStats s = pool.stats();
 * System.out.println(s.completed() + " done, " + s.failed() + " failed, " + s.queued() + " waiting");
 * System.out.print(s.table());      // one line per worker: tasks, busy/idle, serialization, RSS, restarts
 * }</pre>
 *
 * @param name the pool's name ({@link PoolOptions#name()})
 * @param backend the backend, as its {@code toString()} writes it
 * @param submitted tasks the pool accepted (a task rejected by {@code submit} is not counted)
 * @param completed tasks that finished with a result
 * @param failed tasks that finished with an exception, including timeouts ({@link TaskTimeoutException}) and
 *     tasks lost with their worker ({@link WorkerCrashedException})
 * @param cancelled tasks cancelled before or while running (including by {@code shutdownNow})
 * @param running tasks started and not finished (for worker processes: sent to a worker)
 * @param queued tasks accepted and not yet started
 * @param workers one entry per worker, in a stable order (see {@link WorkerStats})
 */
public record PoolStats(
    String name,
    String backend,
    long submitted,
    long completed,
    long failed,
    long cancelled,
    long running,
    long queued,
    List<WorkerStats> workers) {

  /**
   * Validates the components and copies the worker list.
   *
   * @throws NullPointerException if a reference component or worker is null
   * @throws IllegalArgumentException if a counter is negative or the counters do not add up
   */
  public PoolStats {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(backend, "backend");
    workers = List.copyOf(workers);
    if (submitted < 0 || completed < 0 || failed < 0 || cancelled < 0 || running < 0 || queued < 0) {
      throw new IllegalArgumentException("counters must not be negative");
    }
    if (submitted != completed + failed + cancelled + running + queued) {
      throw new IllegalArgumentException("submitted (" + submitted + ") must equal completed + failed + cancelled"
          + " + running + queued (" + completed + " + " + failed + " + " + cancelled + " + " + running + " + "
          + queued + ")");
    }
  }

  /**
   * Tasks that have finished, whatever the outcome.
   *
   * @return {@code completed + failed + cancelled}
   */
  public long finished() {
    return completed + failed + cancelled;
  }

  /**
   * The sum over the workers of {@link WorkerStats#tasksRun()}.
   *
   * @return tasks run by all workers
   */
  public long tasksRun() {
    long n = 0;
    for (WorkerStats w : workers) {
      n += w.tasksRun();
    }
    return n;
  }

  /**
   * The sum over the workers of {@link WorkerStats#busy()}: the time spent running tasks.
   *
   * @return the total busy time
   */
  public Duration busy() {
    Duration d = Duration.ZERO;
    for (WorkerStats w : workers) {
      d = d.plus(w.busy());
    }
    return d;
  }

  /**
   * A human-readable report: the counters on one line, then a table with one row per worker.
   *
   * @return several lines, each ending with a line separator
   */
  public String table() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "pool %s (%s): %d submitted, %d completed, %d failed, %d cancelled, %d running, %d queued%n",
        name, backend, submitted, completed, failed, cancelled, running, queued));
    sb.append(String.format(Locale.ROOT, "  %-26s %8s %-8s %9s %5s %10s %10s %5s %9s %9s %8s %8s%n",
        "worker", "pid", "state", "tasks", "held", "busy", "idle", "util", "encode", "decode", "restarts", "rss"));
    for (WorkerStats w : workers) {
      sb.append(String.format(Locale.ROOT, "  %-26s %8s %-8s %9d %5d %10s %10s %4.0f%% %9s %9s %8d %8s%n",
          clip(w.name(), 26), w.pid() < 0 ? "-" : Long.toString(w.pid()), w.state().name().toLowerCase(Locale.ROOT),
          w.tasksRun(), w.inFlight(), human(w.busy()), human(w.idle()), 100 * w.utilization(),
          human(w.encoding()), human(w.decoding()), w.restarts(), bytes(w.rssBytes())));
    }
    return sb.toString();
  }

  private static String clip(String s, int width) {
    return s.length() <= width ? s : "…" + s.substring(s.length() - width + 1);
  }

  /** A duration in the unit that reads best: {@code 850 µs}, {@code 12.3 ms}, {@code 4.56 s}, {@code 3.2 min}. */
  static String human(Duration d) {
    long nanos = d.toNanos();
    if (nanos == 0) {
      return "0";
    }
    if (nanos < 1_000_000) {
      return String.format(Locale.ROOT, "%d µs", nanos / 1_000);
    }
    if (nanos < 1_000_000_000) {
      return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
    if (nanos < 120_000_000_000L) {
      return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
    return String.format(Locale.ROOT, "%.1f min", nanos / 6e10);
  }

  private static String bytes(long b) {
    if (b < 0) {
      return "-";
    }
    if (b < 1 << 20) {
      return (b >> 10) + " KB";
    }
    if (b < 1L << 30) {
      return (b >> 20) + " MB";
    }
    return String.format(Locale.ROOT, "%.1f GB", b / (double) (1L << 30));
  }

  /** One line: the counters, without the workers. */
  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "PoolStats[%s, %s: submitted %d, completed %d, failed %d, cancelled %d, running %d, queued %d, %d worker(s)]",
        name, backend, submitted, completed, failed, cancelled, running, queued, workers.size());
  }
}
