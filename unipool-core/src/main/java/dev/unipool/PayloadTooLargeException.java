package dev.unipool;

import java.io.IOException;
import java.util.Locale;

/**
 * A task or its result is too large to travel to or from a worker process or cluster member: its encoded
 * form would exceed what one message can carry (a Java array, and so one frame, holds at most about 2 GB).
 * Thrown where the value is encoded, before any memory runs out: for a task, in {@code submit} (as the
 * cause of its {@link IllegalArgumentException}); for a result, in the worker, which fails the task with
 * it, so the caller's {@code get} throws an {@link java.util.concurrent.ExecutionException} with this as
 * the cause.
 */
public final class PayloadTooLargeException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  /**
   * Creates the exception.
   *
   * @param what what was being encoded, for the message: "task", "result", ...
   * @param size its encoded size in bytes, or as many as were written before the limit was passed
   * @param exact whether {@code size} is the whole size (false: the value is at least that large)
   * @param limit the most an encoded value may have, in bytes
   */
  public PayloadTooLargeException(String what, long size, boolean exact, long limit) {
    super(String.format(Locale.ROOT, "%s too large (%s%,d bytes; the limit is %,d bytes, what one message"
        + " between JVMs can carry): return or capture less, e.g. split the work with map, or write the"
        + " data to a file both sides can read and pass its path", what, exact ? "" : "more than ", size, limit));
    this.size = size;
    this.limit = limit;
  }

  /**
   * The encoded size, or a lower bound of it when encoding stopped at the limit.
   *
   * @return bytes
   */
  public long size() {
    return size;
  }

  /**
   * The most an encoded value may have.
   *
   * @return bytes
   */
  public long limit() {
    return limit;
  }
}
