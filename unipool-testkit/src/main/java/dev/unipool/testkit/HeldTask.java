package dev.unipool.testkit;

import dev.unipool.SerializableCallable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A task that occupies its worker until the test lets it go: it fires {@code started}, then waits for
 * {@code release} and returns {@link #RELEASED}. If it is interrupted while waiting (cancelled, timed out,
 * shut down) it fires {@code interrupted} and rethrows the {@link InterruptedException}. It gives up with
 * a {@link java.util.concurrent.TimeoutException} after {@link #HOLD_LIMIT}, longer than any test runs.
 *
 * @param started fired when the task begins
 * @param release fired by the test to let the task return
 * @param interrupted fired by the task when it is interrupted while held
 */
public record HeldTask(FileSignal started, FileSignal release, FileSignal interrupted)
    implements SerializableCallable<String> {
  private static final long serialVersionUID = 1L;

  /** What the task returns once released. */
  public static final String RELEASED = "released";

  /** How long the task waits for {@code release} before failing on its own. */
  public static final Duration HOLD_LIMIT = Duration.ofMinutes(3);

  /**
   * A held task with three new signals in {@code dir}.
   *
   * @param dir a directory every worker can see
   * @return the task
   */
  public static HeldTask in(Path dir) {
    return new HeldTask(FileSignal.in(dir), FileSignal.in(dir), FileSignal.in(dir));
  }

  /**
   * A held task with new {@code started} and {@code interrupted} signals and a shared {@code release},
   * for holding several workers and letting them go at once.
   *
   * @param dir a directory every worker can see
   * @param release the signal that releases the task
   * @return the task
   */
  public static HeldTask in(Path dir, FileSignal release) {
    return new HeldTask(FileSignal.in(dir), release, FileSignal.in(dir));
  }

  @Override
  public String call() throws Exception {
    started.fire();
    try {
      release.await(HOLD_LIMIT);
    } catch (InterruptedException e) {
      interrupted.fire();
      throw e;
    }
    return RELEASED;
  }
}
