package dev.unipool;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * When a task was submitted, started and finished, read from the submitting JVM's clock. A snapshot:
 * it does not change after it is returned. Recorded only when the pool records timings
 * ({@link PoolOptions#timings(boolean)}; always on the worker-process backend); otherwise every
 * component is null.
 *
 * @param submitted when {@code submit} accepted the task, or {@code null} if timings are not recorded
 * @param started when a worker started it, or {@code null} if it has not started
 * @param finished when its outcome was known, or {@code null} if it is not done
 */
public record TaskTimings(@Nullable Instant submitted, @Nullable Instant started, @Nullable Instant finished) {

  /** No timings: the pool does not record them. */
  public static final TaskTimings NONE = new TaskTimings(null, null, null);

  /**
   * Whether timings were recorded for this task.
   *
   * @return true if {@link #submitted()} is known
   */
  public boolean recorded() {
    return submitted != null;
  }

  /**
   * The time spent waiting to start.
   *
   * @return the queue time, or empty if the task has not started or timings are not recorded
   */
  public Optional<Duration> queued() {
    return started == null || submitted == null ? Optional.empty() : Optional.of(Duration.between(submitted, started));
  }

  /**
   * The time from start to finish.
   *
   * @return the run time, or empty if the task has not both started and finished
   */
  public Optional<Duration> ran() {
    return started == null || finished == null
        ? Optional.empty()
        : Optional.of(Duration.between(started, finished));
  }
}
