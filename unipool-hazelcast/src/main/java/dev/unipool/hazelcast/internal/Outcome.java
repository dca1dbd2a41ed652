package dev.unipool.hazelcast.internal;

import java.io.Serial;
import java.io.Serializable;

/**
 * What a member sends back for a {@link RunTask}: the encoded result, the encoded exception, or word that
 * the task was cancelled before it started there.
 *
 * @param status {@link #OK}, {@link #FAILED} or {@link #SKIPPED}
 * @param payload the codec's bytes of the result or the exception; empty when skipped
 * @param runNanos how long the task ran on the member, or -1 if it did not run
 */
record Outcome(byte status, byte[] payload, long runNanos) implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /** The payload is the result. */
  static final byte OK = 0;

  /** The payload is the exception the task threw. */
  static final byte FAILED = 1;

  /** A cancel reached the member first: the task never ran. */
  static final byte SKIPPED = 2;

  static Outcome skipped() {
    return new Outcome(SKIPPED, new byte[0], -1);
  }

  @Override
  public String toString() {
    return "Outcome[" + status + ", " + payload.length + " bytes, " + runNanos + " ns]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Outcome x && x.status == status && x.runNanos == runNanos
        && java.util.Arrays.equals(x.payload, payload);
  }

  @Override
  public int hashCode() {
    return 31 * status + java.util.Arrays.hashCode(payload);
  }
}
