package dev.unipool;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * When a task was submitted, started and finished, read from the submitting JVM's clock. A snapshot:
 * it does not change after it is returned.
 *
 * @param submitted when {@code submit} accepted the task
 * @param started when a worker started it, or {@code null} if it has not started
 * @param finished when its outcome was known, or {@code null} if it is not done
 */
public record TaskTimings(Instant submitted, @Nullable Instant started, @Nullable Instant finished) {

  /**
   * The time spent waiting to start.
   *
   * @return the queue time, or empty if the task has not started
   */
  public Optional<Duration> queued() {
    return started == null ? Optional.empty() : Optional.of(Duration.between(submitted, started));
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
