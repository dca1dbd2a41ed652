package dev.unipool.testkit;

import org.jspecify.annotations.Nullable;

/**
 * A system property set for a while (a test class, a block) and put back as it was on {@link #close()}.
 * Not thread-safe: system properties are global, so tests using it must not run in parallel.
 */
public final class SystemProperty implements AutoCloseable {
  private final String key;
  private final @Nullable String before;

  private SystemProperty(String key, @Nullable String before) {
    this.key = key;
    this.before = before;
  }

  /**
   * Sets {@code key} to {@code value}, or clears it when {@code value} is null.
   *
   * @param key the property
   * @param value its value while set, or null for unset
   * @return what restores the previous value
   */
  public static SystemProperty set(String key, @Nullable String value) {
    SystemProperty p = new SystemProperty(key, System.getProperty(key));
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
    return p;
  }

  /** Restores the value the property had before {@link #set}. */
  @Override
  public void close() {
    if (before == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, before);
    }
  }
}
