package dev.unipool.testkit;

import dev.unipool.Backend;

/** The contract on {@code Backend.threads(4)}. */
class ThreadsPoolTest extends PoolContract {
  @Override
  protected Backend backend() {
    return Backend.threads(4);
  }
}
