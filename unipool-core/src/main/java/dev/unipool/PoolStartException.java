package dev.unipool;

/**
 * A pool could not start its workers, for a reason found before starting any: for worker processes, the
 * classes they need would not be on their class path. Thrown by {@link Pool#of}. The message says how this
 * JVM was launched as unipool understood it ({@link #launchMode()}), what it tried, and the fix.
 *
 * <p>It is an {@link IllegalStateException}, like the other start-up failures of a pool.
 */
public final class PoolStartException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String launchMode;

  /**
   * Creates the exception.
   *
   * @param message what is wrong, what was tried and the fix
   * @param launchMode how this JVM was launched, as detected, e.g. {@code "class path"} or {@code "Maven exec:java"}
   */
  public PoolStartException(String message, String launchMode) {
    super(message);
    this.launchMode = launchMode;
  }

  /**
   * How this JVM was launched, as the pool detected it.
   *
   * @return a short description, e.g. {@code "Spring Boot executable jar"}
   */
  public String launchMode() {
    return launchMode;
  }
}
