package dev.unipool.testkit;

import org.jspecify.annotations.Nullable;

/**
 * A serializable exception type of the test library's own, thrown by contract tasks to check that a
 * backend hands back a task's exception with its type, message, fields and cause intact, even when the
 * exception class is not a JDK one.
 */
public final class ContractException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The value given at construction, serialized with the exception. */
  private final int code;

  /**
   * Creates the exception.
   *
   * @param message the detail message
   * @param code an arbitrary value that must survive the trip back to the caller
   */
  public ContractException(String message, int code) {
    this(message, code, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the detail message
   * @param code an arbitrary value that must survive the trip back to the caller
   * @param cause the cause, or null
   */
  public ContractException(String message, int code, @Nullable Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * The value given at construction.
   *
   * @return the code
   */
  public int code() {
    return code;
  }
}
