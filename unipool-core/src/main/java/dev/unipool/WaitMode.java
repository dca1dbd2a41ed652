package dev.unipool;

/** When {@link Futures#await} returns, like the {@code return_when} argument of Python's {@code wait}. */
public enum WaitMode {
  /** As soon as any future is done (or at once if one already is). */
  FIRST_COMPLETED,
  /**
   * As soon as any future fails or is cancelled; if none does, when all are done (like
   * {@link #ALL_COMPLETED}).
   */
  FIRST_EXCEPTION,
  /** When every future is done. */
  ALL_COMPLETED
}
