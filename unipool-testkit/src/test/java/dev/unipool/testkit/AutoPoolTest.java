package dev.unipool.testkit;

import dev.unipool.Backend;

/** The contract on {@code Backend.auto()}: routing must not change any promised behaviour. */
class AutoPoolTest extends PoolContract {
  @Override
  protected Backend backend() {
    return Backend.auto();
  }
}
