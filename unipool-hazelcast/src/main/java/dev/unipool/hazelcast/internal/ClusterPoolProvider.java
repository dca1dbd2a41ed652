package dev.unipool.hazelcast.internal;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.spi.PoolProvider;

/** Supplies {@link Backend.Cluster} pools to {@link Pool#of}. */
public final class ClusterPoolProvider implements PoolProvider {
  /** Used by {@link java.util.ServiceLoader}. */
  public ClusterPoolProvider() {}

  @Override
  public boolean supports(Backend backend) {
    return backend instanceof Backend.Cluster;
  }

  @Override
  public Pool open(Backend backend, PoolOptions options) {
    return ClusterPool.open((Backend.Cluster) backend, options);
  }
}
