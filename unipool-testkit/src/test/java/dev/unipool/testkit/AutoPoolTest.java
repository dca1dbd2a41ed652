package dev.unipool.testkit;

import dev.unipool.Backend;

/** The contract on {@code Backend.auto()}: routing must not change any promised behaviour. */
class AutoPoolTest extends LocalPoolContract {
  @Override
  public Backend backend() {
    return Backend.auto();
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.inProcess();
  }
}
