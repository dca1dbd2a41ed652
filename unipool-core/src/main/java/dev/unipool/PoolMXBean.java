package dev.unipool;

import java.util.List;
import java.util.Locale;

/**
 * What JMX clients (JConsole, VisualVM, Prometheus' JMX exporter, {@code jcmd}) see of an open {@link Pool},
 * with no code: every pool opened with {@link Pool#of} registers one as
 * {@code dev.unipool:type=Pool,name=<pool name>} in the platform MBean server, and unregisters it once the
 * pool has terminated. Pools share the default name {@code unipool}, so a name already taken gets a
 * suffix: the second open pool named {@code unipool} is {@code name=unipool-2}, and so on (give pools
 * distinct names with {@link PoolOptions#name(String)} for stable object names). Names with characters
 * special to object names ({@code , = : " * ?}) are quoted.
 *
 * <p>Each attribute reads a fresh {@link Pool#stats()}; see {@link PoolStats} and {@link WorkerStats} for
 * what they mean. Thread-safe; never blocks on a worker.
 */
public interface PoolMXBean {
  /**
   * The pool's name.
   *
   * @return {@link PoolOptions#name()}
   */
  String getName();

  /**
   * The backend.
   *
   * @return its text form, e.g. {@code processes:4}
   */
  String getBackend();

  /**
   * The pool's life-cycle state.
   *
   * @return {@code running}, {@code shutting down} or {@code terminated}
   */
  String getState();

  /**
   * Tasks accepted.
   *
   * @return {@link PoolStats#submitted()}
   */
  long getSubmitted();

  /**
   * Tasks that finished with a result.
   *
   * @return {@link PoolStats#completed()}
   */
  long getCompleted();

  /**
   * Tasks that finished with an exception.
   *
   * @return {@link PoolStats#failed()}
   */
  long getFailed();

  /**
   * Tasks cancelled.
   *
   * @return {@link PoolStats#cancelled()}
   */
  long getCancelled();

  /**
   * Tasks started and not finished.
   *
   * @return {@link PoolStats#running()}
   */
  long getRunning();

  /**
   * Tasks waiting to start.
   *
   * @return {@link PoolStats#queued()}
   */
  long getQueued();

  /**
   * How many workers {@link #getWorkers()} lists.
   *
   * @return the number of worker entries
   */
  int getWorkerCount();

  /**
   * One row per worker; JMX clients see an array of {@code CompositeData} with the row's components as items.
   *
   * @return the workers
   */
  List<WorkerRow> getWorkers();

  /**
   * The statistics as text: {@link PoolStats#table()}.
   *
   * @return several lines
   */
  String getStatsTable();

  /**
   * An operation: how the pool decides where tasks run ({@link Pool#explain()}).
   *
   * @return a human-readable report
   */
  String explain();

  /**
   * One worker, in types every JMX client can show (durations in milliseconds): {@link WorkerStats} for JMX.
   *
   * @param name the worker's name
   * @param pid its process id, or -1
   * @param host where it runs
   * @param state {@code starting}, {@code idle}, {@code busy}, {@code stopping} or {@code stopped}
   * @param tasksRun tasks it finished
   * @param inFlight tasks it holds
   * @param busyMillis time it had work
   * @param idleMillis time it was up without work
   * @param utilization busy over up time, 0 to 1
   * @param encodingMillis time spent serializing its tasks
   * @param decodingMillis time spent deserializing its results
   * @param restarts times it was replaced
   * @param rssBytes its resident memory, or -1
   */
  record WorkerRow(
      String name,
      long pid,
      String host,
      String state,
      long tasksRun,
      int inFlight,
      long busyMillis,
      long idleMillis,
      double utilization,
      long encodingMillis,
      long decodingMillis,
      int restarts,
      long rssBytes) {

    /**
     * The row for {@code w}.
     *
     * @param w a worker's statistics
     * @return its row
     */
    public static WorkerRow of(WorkerStats w) {
      return new WorkerRow(w.name(), w.pid(), w.host(), w.state().name().toLowerCase(Locale.ROOT), w.tasksRun(),
          w.inFlight(), w.busy().toMillis(), w.idle().toMillis(), w.utilization(), w.encoding().toMillis(),
          w.decoding().toMillis(), w.restarts(), w.rssBytes());
    }
  }
}
