package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.MAX_FILLABLE;
import static dev.unipool.testkit.ContractSupport.PATIENCE;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.TaskFuture;
import java.util.ArrayList;
import java.util.List;

/**
 * What every contract interface needs from the test class: the backend, its {@link Capabilities}, and a
 * fresh pool and signals per test. {@link PoolContract} implements it; the contract interfaces
 * ({@link SubmitContract}, {@link MapContract}, ...) extend it and add their tests as default methods.
 */
public interface PoolFixture {
  /**
   * The backend under test.
   *
   * @return the backend every test's pool is created with
   */
  Backend backend();

  /**
   * What the backend can do; tests that need more are skipped.
   *
   * @return the capabilities
   */
  Capabilities capabilities();

  /**
   * The options every test's pool starts from; tests that need other settings derive theirs from these.
   *
   * @return the options
   */
  PoolOptions options();

  /**
   * The pool of the current test, created on first use with {@link #backend()} and {@link #options()}, shut
   * down after the test. Thread-safe: tests call it from several submitting threads at once.
   *
   * @return the pool
   */
  Pool pool();

  /**
   * Opens another pool on {@link #backend()}, shut down after the test.
   *
   * @param options its options, normally derived from {@link #options()}
   * @return the running pool
   */
  Pool newPool(PoolOptions options);

  /**
   * A new unfired signal in the test's temporary directory.
   *
   * @return the signal
   */
  FileSignal newSignal();

  /**
   * A new task that holds its worker until released, with signals in the test's temporary directory.
   *
   * @return the task
   */
  HeldTask newHeldTask();

  /**
   * A new task that holds its worker until {@code release} fires (one signal can release many).
   *
   * @param release the signal that releases it
   * @return the task
   */
  HeldTask newHeldTask(FileSignal release);

  /** Skips the test unless a task can run while the test thread goes on. */
  default void assumeConcurrent() {
    assumeTrue(capabilities().runsConcurrently(), "needs a task to run while the test thread goes on");
  }

  /** Skips the test unless two tasks of the test's pool can run at once. */
  default void assumeTwoAtOnce() {
    assumeConcurrent();
    assumeTrue(pool().backend().parallelism() >= 2, "needs two tasks running at once");
  }

  /**
   * Skips the test unless every worker of {@code p} can be held busy.
   *
   * @param p the pool
   * @return the number of workers
   */
  default int assumeFillable(Pool p) {
    assumeConcurrent();
    int n = p.backend().parallelism();
    assumeTrue(n <= MAX_FILLABLE, () -> "parallelism " + n + " is too large to occupy every worker");
    return n;
  }

  /**
   * Holds {@code n} workers of {@code p} until {@code release} fires; returns once all have started.
   *
   * @param p the pool
   * @param n how many workers to hold
   * @param release the signal that releases them all
   * @return the holding tasks' futures
   * @throws Exception if a task does not start within the patience of the suite
   */
  default List<TaskFuture<String>> occupy(Pool p, int n, FileSignal release) throws Exception {
    List<TaskFuture<String>> holders = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HeldTask h = newHeldTask(release);
      holders.add(p.submit(h));
      h.started().await(PATIENCE); // one at a time, so a bounded queue never sees two waiting
    }
    return holders;
  }
}
