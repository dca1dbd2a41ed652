package dev.unipool.hazelcast.internal;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.util.concurrent.Callable;

/**
 * Interrupts a {@link RunTask} on the member it was sent to, or makes it skip if it has not started.
 * Sent through the separate {@code unipool-control} executor: the task executor may be full of the very
 * tasks being cancelled, and a cancel queued behind them would never run.
 *
 * <p>{@link DataSerializable} for the same reason as {@link Probe}; public with a no-argument
 * constructor only for Hazelcast.
 */
public final class CancelTask implements Callable<Boolean>, DataSerializable {
  private String key;

  /** For Hazelcast's deserialization only. */
  public CancelTask() {
    this.key = "";
  }

  /**
   * Creates a cancel.
   *
   * @param key the key of the task to cancel
   */
  CancelTask(String key) {
    this.key = key;
  }

  String key() {
    return key;
  }

  @Override
  public Boolean call() {
    return MemberSide.cancel(key);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(key);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    String k = in.readString();
    if (k == null) {
      throw new StreamCorruptedException("CancelTask without a key");
    }
    key = k;
  }

  @Override
  public String toString() {
    return "CancelTask[" + key + "]";
  }
}
