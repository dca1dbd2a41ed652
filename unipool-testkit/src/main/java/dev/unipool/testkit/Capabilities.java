package dev.unipool.testkit;

/**
 * What a backend can do that the contract cannot take for granted. Tests that need a capability the
 * backend lacks are skipped (JUnit assumptions), never weakened; the {@linkplain PoolContract#checkInvariants
 * checks after each test} use it too.
 *
 * <p>Start from the factory that describes the backend's workers and adjust with the {@code with...}
 * methods:
 *
 * <pre>{@code
 * @Override public Capabilities capabilities() { return Capabilities.workerProcesses(); }
 * }</pre>
 *
 * @param runsConcurrently whether a submitted task can run while the submitting thread goes on; false for a
 *     backend that runs each task inside {@code submit} (inline), where tests that need a running task skip
 * @param workersAreProcesses whether each worker is an operating-system process of its own (worker JVMs,
 *     cluster members), whose resident memory {@code WorkerStats.rssBytes()} reports; in-process workers
 *     report this JVM's pid and -1
 * @param ownsWorkerProcesses whether the pool starts its worker processes itself: a task may then end its
 *     worker's JVM ({@code Runtime.halt}) and the pool replaces the worker, and no worker process may outlive
 *     the pool's termination. False for in-process workers, and for shared cluster members, which such a
 *     task would end for everyone
 */
public record Capabilities(boolean runsConcurrently, boolean workersAreProcesses, boolean ownsWorkerProcesses) {
  /**
   * Checks that the flags are consistent.
   *
   * @throws IllegalArgumentException if {@code ownsWorkerProcesses} is true but {@code workersAreProcesses}
   *     is not
   */
  public Capabilities {
    if (ownsWorkerProcesses && !workersAreProcesses) {
      throw new IllegalArgumentException("a pool that owns worker processes has workers that are processes");
    }
  }

  /**
   * Workers that are threads of this JVM, running tasks concurrently with the submitter (threads, virtual
   * threads, auto).
   *
   * @return the capabilities
   */
  public static Capabilities inProcess() {
    return new Capabilities(true, false, false);
  }

  /**
   * Worker JVMs that the pool starts, replaces when they crash, and ends when it terminates.
   *
   * @return the capabilities
   */
  public static Capabilities workerProcesses() {
    return new Capabilities(true, true, true);
  }

  /**
   * Workers that are processes the pool shares and does not own (cluster members): they outlive the pool,
   * and no test may end one.
   *
   * @return the capabilities
   */
  public static Capabilities sharedProcesses() {
    return new Capabilities(true, true, false);
  }

  /**
   * These capabilities, except that tasks run inside {@code submit}, on the submitting thread.
   *
   * @return the changed capabilities
   */
  public Capabilities withoutConcurrency() {
    return new Capabilities(false, workersAreProcesses, ownsWorkerProcesses);
  }
}
