package dev.unipool.spi;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;

/**
 * Supplies the runtime of backends that live outside {@code unipool-core}, found with
 * {@link java.util.ServiceLoader}. Implementations must have a public no-argument constructor.
 */
public interface PoolProvider {
  /**
   * Whether this provider runs the given backend.
   *
   * @param backend a backend configuration
   * @return true if {@link #open} accepts it
   */
  boolean supports(Backend backend);

  /**
   * Starts a pool for the backend.
   *
   * @param backend a backend for which {@link #supports} is true
   * @param options the pool options
   * @return a running pool
   */
  Pool open(Backend backend, PoolOptions options);
}
