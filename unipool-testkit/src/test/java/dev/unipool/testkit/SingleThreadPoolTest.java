package dev.unipool.testkit;

import dev.unipool.Backend;

/** The contract on {@code Backend.threads(1)}: one worker, so queued tasks and FIFO order matter most. */
class SingleThreadPoolTest extends LocalPoolContract {
  @Override
  public Backend backend() {
    return Backend.threads(1);
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.inProcess();
  }
}
