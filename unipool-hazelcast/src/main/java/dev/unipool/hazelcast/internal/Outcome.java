package dev.unipool.hazelcast.internal;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Arrays;

/**
 * What a member sends back for a {@link RunTask}: the encoded result, the encoded exception, or word that
 * the task was cancelled before it started there. {@link DataSerializable} for the same reason as
 * {@link RunTask}; public with a no-argument constructor only for Hazelcast.
 */
public final class Outcome implements DataSerializable {
  /** The payload is the result. */
  static final byte OK = 0;

  /** The payload is the exception the task threw. */
  static final byte FAILED = 1;

  /** A cancel reached the member first: the task never ran. */
  static final byte SKIPPED = 2;

  private byte status;
  private byte[] payload;
  private long runNanos;

  /** For Hazelcast's deserialization only. */
  public Outcome() {
    this.payload = new byte[0];
  }

  /**
   * Creates an outcome.
   *
   * @param status {@link #OK}, {@link #FAILED} or {@link #SKIPPED}
   * @param payload the codec's bytes of the result or the exception; empty when skipped
   * @param runNanos how long the task ran on the member, or -1 if it did not run
   */
  Outcome(byte status, byte[] payload, long runNanos) {
    this.status = status;
    this.payload = payload;
    this.runNanos = runNanos;
  }

  static Outcome skipped() {
    return new Outcome(SKIPPED, new byte[0], -1);
  }

  byte status() {
    return status;
  }

  byte[] payload() {
    return payload;
  }

  long runNanos() {
    return runNanos;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(status);
    out.writeLong(runNanos);
    out.writeByteArray(payload);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    status = in.readByte();
    runNanos = in.readLong();
    byte[] p = in.readByteArray();
    if (p == null) {
      throw new java.io.StreamCorruptedException("Outcome without payload");
    }
    payload = p;
  }

  @Override
  public String toString() {
    return "Outcome[" + status + ", " + payload.length + " bytes, " + runNanos + " ns]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Outcome x && x.status == status && x.runNanos == runNanos && Arrays.equals(x.payload, payload);
  }

  @Override
  public int hashCode() {
    return 31 * status + Arrays.hashCode(payload);
  }
}
