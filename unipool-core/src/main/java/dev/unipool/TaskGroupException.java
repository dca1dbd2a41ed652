package dev.unipool;

/**
 * A {@link TaskGroup} failed: under {@link TaskGroup.Policy#ALL_SUCCESSFUL} a task failed (the cause;
 * later failures are attached as suppressed), or under {@link TaskGroup.Policy#FIRST_SUCCESS} every task
 * failed (the first failure is the cause, the others suppressed).
 */
public final class TaskGroupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param cause the first task's exception
   */
  public TaskGroupException(String message, Throwable cause) {
    super(message, cause);
  }
}
