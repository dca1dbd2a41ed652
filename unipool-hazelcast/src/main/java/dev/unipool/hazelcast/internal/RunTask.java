package dev.unipool.hazelcast.internal;

import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * The one envelope a task travels in: the codec's bytes of the user's task, plus the key the member
 * registers the running task under so that a later {@link CancelTask} can interrupt it. Hazelcast only
 * ever sees this class (and {@link Outcome}), never user types, so the user's classes need no Hazelcast
 * serialization setup and the pool decides how tasks are encoded.
 *
 * @param key the pool's id and the task's number, unique across the cluster
 * @param task the encoded task, a {@code Callable}
 */
record RunTask(String key, byte[] task) implements Callable<Outcome>, Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /** Runs on the member, on a thread of its {@code unipool} executor. */
  @Override
  public Outcome call() {
    return MemberSide.run(key, task);
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
