package dev.unipool;

import org.jspecify.annotations.Nullable;

/**
 * Settings of the {@link Pool#map map} family: an immutable value.
 *
 * <p>Items are sent to the backend in chunks. By default ({@code chunkSize == 0}) the chunk size adapts:
 * it starts at one item and grows while items are cheap, aiming at chunks of a few milliseconds, never
 * more than a quarter of the input per worker when the input's size is known. At most
 * {@code maxInFlight} chunks are submitted but not yet consumed, so an infinite input runs in constant
 * memory.
 *
 * <p>A {@link ProgressListener} hears how far the call has come; {@link #progressBar()} draws a bar on the
 * terminal:
 *
 * <pre>{@code
 * List<Result> results = pool.map(this::score, items, MapOptions.progressBar());
 * pool.map(this::score, items, MapOptions.chunkSize(100).withProgress((done, total) -> log(done, total)));
 * }</pre>
 *
 * @param chunkSize items per chunk, or {@code 0} for automatic
 * @param maxInFlight most chunks submitted and not yet consumed, or {@code 0} for automatic (four per
 *     unit of backend parallelism, at most 256)
 * @param progress what hears the call's progress, or {@code null} for nothing; it stays in the calling JVM
 *     (it is never sent to a worker)
 */
public record MapOptions(int chunkSize, int maxInFlight, @Nullable ProgressListener progress) {

  private static final MapOptions AUTO = new MapOptions(0, 0, null);

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException if a number is negative
   */
  public MapOptions {
    if (chunkSize < 0) {
      throw new IllegalArgumentException("chunk size must be at least 1 (or 0 for automatic), got " + chunkSize);
    }
    if (maxInFlight < 0) {
      throw new IllegalArgumentException("max in flight must be at least 1 (or 0 for automatic), got " + maxInFlight);
    }
  }

  /**
   * Options without a progress listener.
   *
   * @param chunkSize items per chunk, or {@code 0} for automatic
   * @param maxInFlight most chunks in flight, or {@code 0} for automatic
   * @throws IllegalArgumentException if a number is negative
   */
  public MapOptions(int chunkSize, int maxInFlight) {
    this(chunkSize, maxInFlight, null);
  }

  /**
   * Automatic chunking and window.
   *
   * @return the automatic options
   */
  public static MapOptions auto() {
    return AUTO;
  }

  /**
   * A fixed chunk size (Python's chunksize argument).
   *
   * @param chunkSize items per chunk, at least 1
   * @return options with that chunk size
   * @throws IllegalArgumentException if {@code chunkSize < 1}
   */
  public static MapOptions chunkSize(int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be at least 1, got " + chunkSize);
    }
    return new MapOptions(chunkSize, 0, null);
  }

  /**
   * Automatic chunking, with a progress listener.
   *
   * @param listener hears how far the call has come, on the consuming thread (see {@link ProgressListener})
   * @return options with that listener
   */
  public static MapOptions progress(ProgressListener listener) {
    return AUTO.withProgress(listener);
  }

  /**
   * Automatic chunking, with a progress bar on the terminal ({@link ProgressBar#console()}): nothing is
   * drawn when standard output is not a terminal. Each call gets a bar of its own.
   *
   * @return options with a progress bar
   */
  public static MapOptions progressBar() {
    return AUTO.withProgressBar();
  }

  /**
   * Returns these options with a bound on chunks in flight.
   *
   * @param maxInFlight at least 1
   * @return new options
   * @throws IllegalArgumentException if {@code maxInFlight < 1}
   */
  public MapOptions withMaxInFlight(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("max in flight must be at least 1, got " + maxInFlight);
    }
    return new MapOptions(chunkSize, maxInFlight, progress);
  }

  /**
   * Returns these options with a progress listener (replacing any other).
   *
   * @param listener hears how far the call has come, on the consuming thread (see {@link ProgressListener})
   * @return new options
   */
  public MapOptions withProgress(ProgressListener listener) {
    return new MapOptions(chunkSize, maxInFlight, java.util.Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Returns these options with a progress bar on the terminal ({@link ProgressBar#console()}).
   *
   * @return new options
   */
  public MapOptions withProgressBar() {
    return withProgress(ProgressBar.console());
  }
}
