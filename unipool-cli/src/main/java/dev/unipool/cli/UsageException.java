package dev.unipool.cli;

import java.io.Serial;

/**
 * A mistake in how the command was called (a bad flag value, a backend that is not installed): reported
 * as one line and exit code 2, never with a stack trace.
 */
public final class UsageException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  private final boolean showUsage;

  /**
   * A usage error reported without the command's usage.
   *
   * @param message the one-line explanation
   */
  public UsageException(String message) {
    this(message, false);
  }

  /**
   * @param message the one-line explanation
   * @param showUsage whether the command's usage should follow (for a missing subcommand)
   */
  UsageException(String message, boolean showUsage) {
    super(message);
    this.showUsage = showUsage;
  }

  boolean showUsage() {
    return showUsage;
  }
}
