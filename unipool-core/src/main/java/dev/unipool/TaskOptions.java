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
 * @param hint what kind of work the task is, for {@link Backend#auto()}; null lets it measure
 * @param kind the key {@link Backend#auto()} groups measurements by; null groups by the task's class
 *     (for a lambda, its call site)
 */
public record TaskOptions(@Nullable Duration timeout, int retries, @Nullable Hint hint, @Nullable String kind) {

  private static final TaskOptions NONE = new TaskOptions(null, -1, null, null);

  /**
   * Options with a timeout and retries only.
   *
   * @param timeout the run-time limit, or {@code null} to use the pool's
   * @param retries re-runs after a lost worker, or {@code -1} to use the pool's
   */
  public TaskOptions(@Nullable Duration timeout, int retries) {
    this(timeout, retries, null, null);
  }

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
    if (kind != null && kind.isBlank()) {
      throw new IllegalArgumentException("kind must not be blank");
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
    return new TaskOptions(timeout, -1, null, null);
  }

  /**
   * Options that declare what kind of work the task is (see {@link Hint}).
   *
   * @param hint the kind of work
   * @return options with that hint
   */
  public static TaskOptions hint(Hint hint) {
    return new TaskOptions(null, -1, java.util.Objects.requireNonNull(hint, "hint"), null);
  }

  /**
   * Returns these options with a hint.
   *
   * @param hint the kind of work
   * @return new options
   */
  public TaskOptions withHint(Hint hint) {
    return new TaskOptions(timeout, retries, java.util.Objects.requireNonNull(hint, "hint"), kind);
  }

  /**
   * Returns these options with an explicit measurement key for {@link Backend#auto()}: tasks with the
   * same key share statistics and routing.
   *
   * @param kind a non-blank key
   * @return new options
   * @throws IllegalArgumentException if {@code kind} is blank
   */
  public TaskOptions withKind(String kind) {
    return new TaskOptions(timeout, retries, hint, java.util.Objects.requireNonNull(kind, "kind"));
  }

  /**
   * Returns these options with a run-time limit.
   *
   * @param timeout a positive duration
   * @return new options
   * @throws IllegalArgumentException if {@code timeout} is zero or negative
   */
  public TaskOptions withTimeout(Duration timeout) {
    return new TaskOptions(timeout, retries, hint, kind);
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
    return new TaskOptions(timeout, retries, hint, kind);
  }
}
