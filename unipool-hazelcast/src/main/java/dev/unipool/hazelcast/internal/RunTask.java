package dev.unipool.hazelcast.internal;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * The one envelope a task travels in: the codec's bytes of the user's task, plus the key the member
 * registers the running task under so that a later {@link CancelTask} can interrupt it. Hazelcast only
 * ever sees this class (and {@link Outcome}), never user types, so the user's classes need no Hazelcast
 * serialization setup and the pool decides how tasks are encoded.
 *
 * <p>{@link DataSerializable}, not {@code Serializable}: Hazelcast writes it as a class name and two
 * fields instead of running Java serialization, which cost a measurable part of a round trip. Public with
 * a no-argument constructor only because Hazelcast instantiates it reflectively on the member.
 */
public final class RunTask implements Callable<Outcome>, DataSerializable {
  private String key;
  private byte[] task;

  /** For Hazelcast's deserialization only. */
  public RunTask() {
    this.key = "";
    this.task = new byte[0];
  }

  /**
   * Creates an envelope.
   *
   * @param key the pool's id and the task's number, unique across the cluster
   * @param task the encoded task, a {@code Callable}
   */
  RunTask(String key, byte[] task) {
    this.key = key;
    this.task = task;
  }

  String key() {
    return key;
  }

  byte[] task() {
    return task;
  }

  /** Runs on the member, on a thread of its {@code unipool} executor. */
  @Override
  public Outcome call() {
    return MemberSide.run(key, task);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(key);
    out.writeByteArray(task);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    String k = in.readString();
    byte[] t = in.readByteArray();
    if (k == null || t == null) {
      throw new java.io.StreamCorruptedException("RunTask without key or task");
    }
    key = k;
    task = t;
  }

  @Override
  public String toString() {
    return "RunTask[" + key + ", " + task.length + " bytes]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RunTask r && r.key.equals(key);
  }

  @Override
  public int hashCode() {
    return key.hashCode();
  }
}
