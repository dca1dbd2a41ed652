package dev.unipool;

/**
 * Hears how far a {@code map}, {@code imap}, {@code imapUnordered} or {@code starmap} call has come: set it
 * with {@link MapOptions#progress(ProgressListener)}. {@link ProgressBar} is a ready one for terminals.
 *
 * <pre>{@code
 * pool.map(this::score, items, MapOptions.progress((done, total) -> log.info("{}/{}", done, total)));
 * }</pre>
 *
 * <p>Threading: every call comes from the thread that consumes the results (the caller of {@code map}, or
 * whoever iterates the stream of {@code imap}), one at a time, never from a backend's I/O thread, so a
 * listener may print, log or block briefly without holding up the workers. It is called at the start
 * ({@code done == 0}), then at most about ten times a second while results arrive (also while the consumer
 * waits for the next result), and once more at the end.
 *
 * <p>An exception thrown by the listener ends the call as a failing item would: the work still in flight is
 * cancelled and the exception reaches the consumer.
 */
@FunctionalInterface
public interface ProgressListener {
  /**
   * Reports progress. {@code done} never decreases from one call to the next; when the input has been read
   * to its end and every result is ready, the last call has {@code done == total}.
   *
   * @param done items whose results are ready
   * @param total the number of items, or -1 while unknown (an input that is not a {@link java.util.Collection}
   *     is counted as it is read; its total is known once it has been read to its end)
   */
  void onProgress(long done, long total);

  /**
   * Called once when the call ends, after the last {@link #onProgress}: {@code completed} is true if every
   * item's result was delivered, false if an item failed, the consumer closed the stream early, or the
   * consuming thread was interrupted. The default does nothing.
   *
   * @param done items whose results were ready at the end
   * @param total the number of items, or -1 if the input was not read to its end
   * @param completed whether the call delivered every result
   */
  default void onFinish(long done, long total, boolean completed) {}
}
