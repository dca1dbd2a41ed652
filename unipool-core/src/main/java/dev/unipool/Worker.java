package dev.unipool;

/**
 * Access to the worker running the current code.
 *
 * <p>Inside a task, {@link #current()} names the worker that runs it, on every backend. Outside a task
 * it names the current process and thread (the "main process" in Python's terms).
 */
public final class Worker {
  /** System property a worker JVM is started with: its worker name ({@code worker-N}). */
  public static final String NAME_PROPERTY = "unipool.worker.name";

  /** System property a worker JVM may be started with: its host or member address. */
  public static final String HOST_PROPERTY = "unipool.worker.host";

  private static final long PID = ProcessHandle.current().pid();

  private Worker() {}

  /**
   * Describes the worker running the calling code. Cheap: reads the process id (cached), the current
   * thread's name and two system properties.
   *
   * @return the current worker
   */
  public static WorkerInfo current() {
    String thread = Thread.currentThread().getName();
    if (thread.isEmpty()) {
      thread = Thread.currentThread().isVirtual() ? "virtual-" + Thread.currentThread().threadId() : "thread";
    }
    String name = System.getProperty(NAME_PROPERTY, thread);
    return new WorkerInfo(PID, name, thread, System.getProperty(HOST_PROPERTY, "localhost"));
  }
}
