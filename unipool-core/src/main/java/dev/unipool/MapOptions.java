package dev.unipool;

/**
 * Settings of the {@link Pool#map map} family: an immutable value.
 *
 * <p>Items are sent to the backend in chunks. By default ({@code chunkSize == 0}) the chunk size adapts:
 * it starts at one item and grows while items are cheap, aiming at chunks of a few milliseconds, never
 * more than a quarter of the input per worker when the input's size is known. At most
 * {@code maxInFlight} chunks are submitted but not yet consumed, so an infinite input runs in constant
 * memory.
 *
 * @param chunkSize items per chunk, or {@code 0} for automatic
 * @param maxInFlight most chunks submitted and not yet consumed, or {@code 0} for automatic (four per
 *     unit of backend parallelism, at most 256)
 */
public record MapOptions(int chunkSize, int maxInFlight) {

  private static final MapOptions AUTO = new MapOptions(0, 0);

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException if a component is negative
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
   * Automatic chunking and window.
   *
   * @return the automatic options
   */
  public static MapOptions auto() {
    return AUTO;
  }

  /**
   * A fixed chunk size (Python's {@code chunksize}).
   *
   * @param chunkSize items per chunk, at least 1
   * @return options with that chunk size
   * @throws IllegalArgumentException if {@code chunkSize < 1}
   */
  public static MapOptions chunkSize(int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be at least 1, got " + chunkSize);
    }
    return new MapOptions(chunkSize, 0);
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
    return new MapOptions(chunkSize, maxInFlight);
  }
}
