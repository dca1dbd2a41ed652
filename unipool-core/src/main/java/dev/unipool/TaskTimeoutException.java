package dev.unipool;

import java.time.Duration;

/**
 * A task ran longer than its timeout ({@link TaskOptions#timeout}, {@link PoolOptions#taskTimeout}). It is
 * the cause of the {@link java.util.concurrent.ExecutionException} thrown by the task's future. Unlike
 * the {@link java.util.concurrent.TimeoutException} of {@code get(timeout, unit)}, which only stops the
 * caller waiting, this means the task itself was given up on.
 */
public final class TaskTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The limit the task exceeded. */
  private final Duration timeout;

  /**
   * Creates the exception.
   *
   * @param timeout the limit the task exceeded
   */
  public TaskTimeoutException(Duration timeout) {
    super("task exceeded its timeout of " + timeout.toMillis() + " ms");
    this.timeout = timeout;
  }

  /**
   * The limit the task exceeded.
   *
   * @return the timeout
   */
  public Duration timeout() {
    return timeout;
  }
}
