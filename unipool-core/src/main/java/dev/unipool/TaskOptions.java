package dev.unipool;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Per-task settings that override the pool's {@link PoolOptions}: an immutable value.
 *
 * <pre>{@code
 * TaskFuture<Report> f = pool.submit(() -> build(), TaskOptions.timeout(Duration.ofSeconds(5)));
 * }</pre>
 *
 * @param timeout the run-time limit, or {@code null} to use the pool's
 * @param retries re-runs after a lost worker, or {@code -1} to use the pool's
 */
public record TaskOptions(@Nullable Duration timeout, int retries) {

  private static final TaskOptions NONE = new TaskOptions(null, -1);

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException if {@code timeout} is not positive or {@code retries < -1}
   */
  public TaskOptions {
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("task timeout must be positive, got " + timeout);
    }
    if (retries < -1) {
      throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
    }
  }

  /**
   * Options that change nothing: the pool's settings apply.
   *
   * @return the empty options
   */
  public static TaskOptions none() {
    return NONE;
  }

  /**
   * A run-time limit for one task, measured from the moment it starts. When it expires the task's future
   * fails with {@link TaskTimeoutException} at once, and the backend tries to stop the task: in-process
   * backends interrupt its thread (code that ignores interrupts, such as a busy loop, keeps running in
   * the background until it returns); the worker-process backend interrupts and, after a grace period,
   * kills and replaces the worker.
   *
   * @param timeout a positive duration
   * @return options with that timeout
   * @throws IllegalArgumentException if {@code timeout} is zero or negative
   */
  public static TaskOptions timeout(Duration timeout) {
    return new TaskOptions(timeout, -1);
  }

  /**
   * Returns these options with a run-time limit.
   *
   * @param timeout a positive duration
   * @return new options
   * @throws IllegalArgumentException if {@code timeout} is zero or negative
   */
  public TaskOptions withTimeout(Duration timeout) {
    return new TaskOptions(timeout, retries);
  }

  /**
   * Returns these options with a number of re-runs after a lost worker (see {@link PoolOptions#retries(int)}).
   *
   * @param retries 0 or more
   * @return new options
   * @throws IllegalArgumentException if {@code retries < 0}
   */
  public TaskOptions withRetries(int retries) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
    }
    return new TaskOptions(timeout, retries);
  }
}
