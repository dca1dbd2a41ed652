package dev.unipool.testkit;

import dev.unipool.Backend;

/** The contract on {@link Backend#virtual()}: one virtual thread per task, no fixed parallelism. */
class VirtualPoolTest extends PoolContract {
  @Override
  protected Backend backend() {
    return Backend.virtual();
  }
}
