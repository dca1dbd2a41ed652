package dev.unipool.testkit;

import dev.unipool.Backend;

/** The contract on {@link Backend#virtual()}: one virtual thread per task, no fixed parallelism. */
class VirtualPoolTest extends LocalPoolContract {
  @Override
  public Backend backend() {
    return Backend.virtual();
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.inProcess();
  }
}
