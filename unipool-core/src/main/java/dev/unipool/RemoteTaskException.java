package dev.unipool;

/**
 * A task failed in another process with an exception that could not be rebuilt here (its class or
 * state did not serialize). It keeps the original class name, message and stack trace: the stack trace
 * of this exception is the remote one, like Python's {@code _RemoteTraceback}.
 */
public final class RemoteTaskException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The class name of the exception the task threw in the other process. */
  private final String remoteClassName;

  /**
   * Creates the exception.
   *
   * @param remoteClassName the original exception's class name
   * @param message the original message (may be null)
   * @param trace the original stack trace
   */
  public RemoteTaskException(String remoteClassName, @org.jspecify.annotations.Nullable String message,
      StackTraceElement[] trace) {
    super(remoteClassName + (message == null ? "" : ": " + message));
    this.remoteClassName = remoteClassName;
    setStackTrace(trace);
  }

  /**
   * The class name of the exception the task threw.
   *
   * @return a fully qualified class name
   */
  public String remoteClassName() {
    return remoteClassName;
  }
}
