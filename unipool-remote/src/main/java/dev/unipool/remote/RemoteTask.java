package dev.unipool.remote;

import dev.unipool.spi.TaskRun;
import org.jspecify.annotations.Nullable;

/**
 * One task of a {@link RemotePool}: its encoded form, and where it was sent. The pool makes it when the
 * task is dispatched and keeps it itself (queue, workers' in-flight maps, the task's stopper), so neither
 * core nor a transport ever sees it untyped.
 *
 * <p>Threading: the payload is immutable; every other field is guarded by the pool's lock.
 */
public final class RemoteTask {
  private final Codec.Encoded payload;
  private final TaskRun<?> run;
  /** Time spent encoding it, counted for the first worker it is sent to. */
  long encodeNanos;
  long id;
  @Nullable RemoteWorker worker;
  /** Re-runs that used up one of the task's retries. */
  int attempts;
  /** Re-sends after a loss that used up no retry (the task had not begun, or had finished, there). */
  int freeResends;
  boolean killScheduled;

  RemoteTask(Codec.Encoded payload, long encodeNanos, TaskRun<?> run) {
    this.payload = payload;
    this.encodeNanos = encodeNanos;
    this.run = run;
  }

  /**
   * The encoded task: what travels to the worker. Never modified.
   *
   * @return the payload
   */
  public Codec.Encoded payload() {
    return payload;
  }

  /**
   * The submitted task and its future.
   *
   * @return the task run
   */
  public TaskRun<?> run() {
    return run;
  }

  /**
   * The task's number in its pool, unique per send: a re-sent task gets a new one. Read it under the
   * pool's lock, or in the calls the pool makes with the lock held.
   *
   * @return the id of the latest send
   */
  public long id() {
    return id;
  }

  @Override
  public String toString() {
    return "RemoteTask[" + id + ", " + run + "]";
  }
}
