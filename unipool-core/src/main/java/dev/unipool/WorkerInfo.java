package dev.unipool;

import java.io.Serializable;
import java.util.Objects;

/**
 * Identifies who ran a task, like Python's {@code multiprocessing.current_process()}.
 *
 * @param pid the operating-system process id of the JVM that ran the task
 * @param name the worker's name: {@code worker-N} for worker processes, the thread name for in-process backends
 * @param thread the name of the thread that ran the task
 * @param host the host (or cluster member address) the worker runs on
 */
public record WorkerInfo(long pid, String name, String thread, String host) implements Serializable {
  /** Checks that no component is null. */
  public WorkerInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(host, "host");
  }

  @Override
  public String toString() {
    return name + " (pid " + pid + ", thread " + thread + (host.equals("localhost") ? "" : ", " + host) + ")";
  }
}
