package dev.unipool.remote;

import dev.unipool.WorkerInfo;
import dev.unipool.spi.WorkerMeter;
import org.jspecify.annotations.Nullable;

/**
 * One worker of a {@link RemotePool} as the pool sees it (a worker JVM, a cluster member): the tasks it
 * holds, and how to send it more. A transport subclasses it with its connection.
 *
 * <p>Threading: methods whose names end in {@code Locked}, and the fields, are used with the pool's lock
 * held; {@link #flush}, {@link #cancel} and {@link #kill} are called without it.
 */
public abstract class RemoteWorker {
  /** Tasks sent and not yet answered, in the order sent. */
  final InFlight<RemoteTask> inFlight = new InFlight<>();
  /** Statistics, kept across the workers that replace each other in one place. */
  protected final WorkerMeter meter;
  /** Who runs the tasks; null until the worker told the pool (tasks are sent only to a known worker). */
  protected @Nullable WorkerInfo info;
  /** Gone for good: it holds no tasks any more. */
  protected boolean dead;
  /** The pool killed it to stop a task that ignored its interrupt. */
  protected volatile boolean killed;
  /**
   * Tasks were queued to it without a flush ({@link RemotePool#flushesLaterAbove}): the next answer it sends
   * flushes them. Guarded by the pool's lock.
   */
  boolean unflushed;

  /**
   * Creates a worker.
   *
   * @param meter its statistics
   */
  protected RemoteWorker(WorkerMeter meter) {
    this.meter = meter;
  }

  /**
   * Whether the worker takes new tasks now (connected, identified, not stopping), whatever its load.
   *
   * @return true if tasks may be sent to it
   */
  protected abstract boolean acceptsLocked();

  /**
   * How many tasks it may hold at once: its threads, or a prefetch window.
   *
   * @return at least 1
   */
  protected abstract int windowLocked();

  /**
   * Queues {@code task} for sending, with the lock held so that a worker receives its tasks in the order
   * of their ids; the bytes leave in {@link #flush}, after the lock is released. Must not block.
   *
   * @param task the task, already counted as this worker's
   * @param reportStart whether the worker must say when it begins the task (see {@link RemotePool#started})
   */
  protected abstract void queueLocked(RemoteTask task, boolean reportStart);

  /** Sends what {@link #queueLocked} queued. Failures are left to the worker's loss, which re-queues. */
  protected abstract void flush();

  /**
   * Asks the worker to stop task {@code id} (skip it if it has not begun, interrupt it if asked).
   *
   * @param id the task's id
   * @param interrupt whether to interrupt it if it runs
   */
  protected abstract void cancel(long id, boolean interrupt);

  /** Kills the worker; its loss is reported as usual. The default does nothing (a transport that cannot). */
  protected void kill() {}

  /**
   * The worker's name, for messages.
   *
   * @return a short description
   */
  protected abstract String label();

  /**
   * The number of tasks it holds.
   *
   * @return tasks sent and not answered
   */
  public final int loadLocked() {
    return inFlight.size();
  }

  /**
   * Its statistics.
   *
   * @return the meter
   */
  public final WorkerMeter meter() {
    return meter;
  }

  /**
   * Who runs its tasks.
   *
   * @return the worker's identity, or null until it is known
   */
  public final @Nullable WorkerInfo info() {
    return info;
  }

  /**
   * Whether it holds task {@code id}.
   *
   * @param id a task's id
   * @return true if sent to it and not answered
   */
  public final boolean holdsLocked(long id) {
    return inFlight.contains(id);
  }

  /**
   * Whether the pool counts the worker as gone for good (its tasks were re-queued or failed).
   *
   * @return true once gone
   */
  public final boolean goneLocked() {
    return dead;
  }

  /**
   * Whether the pool killed it to stop a task that ignored its interrupt. Read it after the worker's
   * end, or with the lock held.
   *
   * @return true if killed by the pool
   */
  public final boolean killedByPool() {
    return killed;
  }
}
