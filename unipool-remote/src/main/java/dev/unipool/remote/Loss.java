package dev.unipool.remote;

/**
 * The fate of a task lost with its worker, as the transport judges it from how far the task got there.
 * {@link RemotePool} applies one rule to it: a free loss is re-sent without using a retry (at most
 * {@link RemotePool#MAX_FREE_RESENDS} times in a row, so that no task circles between dying workers for
 * ever), else a retryable one uses up one of the task's retries, else the task fails with the detail.
 *
 * @param free the task did not run its own code there, or finished it: re-sending it costs no retry
 * @param retryable it may be re-run against its retries when it cannot go for free
 * @param detail why it failed, should it fail
 */
public record Loss(boolean free, boolean retryable, String detail) {
  /**
   * The task was lost with the worker and nobody knows how far it got: it may have run.
   *
   * @param detail why it failed, should it fail
   * @return a loss that uses a retry
   */
  public static Loss mayHaveRun(String detail) {
    return new Loss(false, true, detail);
  }
}
