package dev.unipool.remote;

import dev.unipool.spi.TaskRun;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One task of a {@link RemotePool}: its encoded form, and where it was sent. The pool attaches it to the
 * task's {@link TaskRun} when the task is submitted; backends receive it typed, never as an attachment.
 *
 * <p>Threading: the payload is immutable; every other field is guarded by the pool's lock.
 */
public final class RemoteTask {
  private final Codec.Encoded payload;
  private @Nullable TaskRun<?> run;
  /** Time spent encoding it, counted for the first worker it is sent to. */
  long encodeNanos;
  long id;
  @Nullable RemoteWorker worker;
  /** Re-runs that used up one of the task's retries. */
  int attempts;
  /** Re-sends after a loss that used up no retry (the task had not begun, or had finished, there). */
  int freeResends;
  boolean killScheduled;

  RemoteTask(Codec.Encoded payload, long encodeNanos) {
    this.payload = payload;
    this.encodeNanos = encodeNanos;
  }

  /** The task a pool attached to {@code run} when it was submitted. */
  static RemoteTask of(TaskRun<?> run) {
    if (!(run.attachment instanceof RemoteTask task)) {
      throw new IllegalStateException("task was not prepared by a remote pool: " + run);
    }
    return task;
  }

  void bind(TaskRun<?> run) {
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
    return Objects.requireNonNull(run, "not dispatched yet");
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
