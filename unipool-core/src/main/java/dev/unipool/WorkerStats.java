package dev.unipool;

import java.time.Duration;
import java.util.Objects;

/**
 * What one worker of a pool has done so far: part of a {@link PoolStats} snapshot. An immutable value.
 *
 * <p>A <em>worker</em> is what runs tasks: a thread of {@link Backend#threads(int)} (one entry per thread
 * slot), a worker JVM of {@link Backend#processes(int)} (one entry per slot, kept across the JVMs that
 * replace each other in it), a cluster member (one entry per member address). Backends that start a thread
 * per task ({@link Backend#virtual()}, and {@link Backend#inline()}, whose tasks run in the calling
 * threads) report one entry that stands for all those threads: a thread that lives only as long as its task
 * is never idle.
 *
 * <p>Durations are measured with this JVM's clock and add up over every worker that held the slot. A worker
 * is busy while it has work: a thread from when it takes a task until it next waits for one; a worker process
 * or member from when it is sent a task until it has answered for all it was sent. The entry that stands for
 * virtual threads or inline callers times a pool's first 1,024 tasks, then estimates its busy time from one
 * task in 16 (a clock read costs more than a tiny task), or times every task when the pool records timings
 * ({@link PoolOptions#timings(boolean)}).
 *
 * @param name the worker's name ({@code worker-2}, a thread name, a member's name)
 * @param pid the operating-system process id of the worker (this JVM's for in-process workers), or -1 if unknown
 * @param host the host the worker runs on ({@code localhost}, or a member's address)
 * @param state what the worker is doing now
 * @param tasksRun tasks that finished on this worker (successfully or not), including those cut short by a
 *     cancel or timeout
 * @param inFlight tasks sent to the worker and not yet finished (for worker processes, prefetched ones too)
 * @param busy total time the worker had work (see above)
 * @param idle total time the worker was up and had no work
 * @param encoding time this JVM spent serializing the tasks sent to this worker ({@link Duration#ZERO}
 *     in process)
 * @param decoding time this JVM spent deserializing this worker's results ({@link Duration#ZERO} in process)
 * @param restarts how many times the worker was replaced by a new one (a crashed, killed or recycled worker
 *     process; a thread that ended after its keep-alive and was started again; a member that rejoined)
 * @param rssBytes resident memory of the worker process or cluster member in bytes, or -1 where unknown (in
 *     process workers share this JVM's memory; a member reports it when the pool asks, about once a second
 *     while someone reads stats); for a worker that has stopped, the last value read (a worker process's is
 *     read when it is asked to stop)
 */
public record WorkerStats(
    String name,
    long pid,
    String host,
    State state,
    long tasksRun,
    int inFlight,
    Duration busy,
    Duration idle,
    Duration encoding,
    Duration decoding,
    int restarts,
    long rssBytes) {

  /** What a worker is doing at the moment of the snapshot. */
  public enum State {
    /** Being started (a worker JVM launching, a member not yet probed, a slot waiting to be refilled). */
    STARTING,
    /** Up, with no task. */
    IDLE,
    /** Running a task (or, for worker processes, holding tasks sent to it). */
    BUSY,
    /** Asked to stop (pool shutdown, recycling); finishing what it holds. */
    STOPPING,
    /** Gone and not replaced: the pool has shut down, or a member left. */
    STOPPED
  }

  /**
   * Validates the components.
   *
   * @throws NullPointerException if a reference component is null
   * @throws IllegalArgumentException if a count or duration is negative
   */
  public WorkerStats {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(state, "state");
    for (Duration d : new Duration[] {
        Objects.requireNonNull(busy, "busy"),
        Objects.requireNonNull(idle, "idle"),
        Objects.requireNonNull(encoding, "encoding"),
        Objects.requireNonNull(decoding, "decoding")}) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("durations must not be negative, got " + d);
      }
    }
    if (tasksRun < 0 || inFlight < 0 || restarts < 0) {
      throw new IllegalArgumentException(
          "counts must not be negative: tasksRun " + tasksRun + ", inFlight " + inFlight + ", restarts " + restarts);
    }
  }

  /**
   * The share of the worker's up time spent running tasks.
   *
   * @return {@code busy / (busy + idle)} between 0 and 1, or 0 if the worker has not been up at all
   */
  public double utilization() {
    long b = busy.toNanos();
    long total = b + idle.toNanos();
    return total <= 0 ? 0 : (double) b / total;
  }
}
