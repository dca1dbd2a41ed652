package dev.unipool.remote;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * A worker's answer for one task, whatever carried it: the encoded result or exception, or word that the
 * task was skipped because a cancel reached the worker first.
 *
 * @param status what the payload holds
 * @param payload the encoded result or exception; empty when skipped
 * @param runNanos how long the task ran on the worker, or -1 if it did not run
 */
public record Reply(Status status, Codec.Encoded payload, long runNanos) {
  /** An empty payload, for {@link Status#SKIPPED}. */
  public static final Codec.Encoded EMPTY = new Codec.Encoded((byte) 0, new byte[0]);

  /** What a {@link Reply}'s payload holds. */
  public enum Status {
    /** The task's result. */
    OK,
    /** The exception the task threw. */
    FAILED,
    /** Nothing: the task never ran. */
    SKIPPED
  }

  /**
   * The reply for a task skipped before it ran.
   *
   * @return a skipped reply
   */
  public static Reply skipped() {
    return new Reply(Status.SKIPPED, EMPTY, -1);
  }

  /** What completes the task: its value, or the failure. */
  record Decoded(@Nullable Object value, @Nullable Throwable failure) {}

  /** Decodes the payload into what completes the task; never throws. */
  Decoded decode(Codec codec, String worker) {
    return switch (status) {
      case OK -> {
        try {
          yield new Decoded(codec.decode(payload), null);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
          yield new Decoded(null, new IllegalStateException("cannot decode the task's result: " + e, e));
        }
      }
      case FAILED -> new Decoded(null, codec.decodeThrowable(payload));
      case SKIPPED -> new Decoded(null, new IllegalStateException(worker + " skipped the task as if it had been cancelled"));
    };
  }
}
