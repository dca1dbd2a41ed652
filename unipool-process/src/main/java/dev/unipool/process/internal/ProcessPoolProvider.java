package dev.unipool.process.internal;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.spi.PoolProvider;

/** Supplies {@link Backend.Processes} pools to {@link Pool#of}. */
public final class ProcessPoolProvider implements PoolProvider {
  /** Used by {@link java.util.ServiceLoader}. */
  public ProcessPoolProvider() {}

  @Override
  public boolean supports(Backend backend) {
    return backend instanceof Backend.Processes;
  }

  @Override
  public Pool open(Backend backend, PoolOptions options) {
    return ProcessPool.start((Backend.Processes) backend, options);
  }
}
