package dev.unipool;

import java.time.Duration;

/**
 * A wait with a deadline ran out of time, for example iterating {@link Futures#asCompleted(java.util.Collection,
 * Duration)} past its timeout. The futures being waited for are not affected.
 */
public final class DeadlineExceededException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The deadline that expired, measured from the start of the wait. */
  private final Duration timeout;

  /**
   * Creates the exception.
   *
   * @param timeout the deadline that expired, measured from the start of the wait
   * @param what a few words on what was waited for
   */
  public DeadlineExceededException(Duration timeout, String what) {
    super(what + " did not finish within " + timeout.toMillis() + " ms");
    this.timeout = timeout;
  }

  /**
   * The deadline that expired.
   *
   * @return the timeout
   */
  public Duration timeout() {
    return timeout;
  }
}
