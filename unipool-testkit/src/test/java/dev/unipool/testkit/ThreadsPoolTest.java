package dev.unipool.testkit;

import dev.unipool.Backend;

/** The contract on {@code Backend.threads(4)}. */
class ThreadsPoolTest extends LocalPoolContract {
  @Override
  public Backend backend() {
    return Backend.threads(4);
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.inProcess();
  }
}
