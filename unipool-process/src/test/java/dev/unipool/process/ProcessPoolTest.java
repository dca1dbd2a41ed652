package dev.unipool.process;

import dev.unipool.Backend;
import dev.unipool.testkit.Capabilities;
import dev.unipool.testkit.PoolContract;

/** The backend contract, unchanged, on two worker JVMs. */
class ProcessPoolTest extends PoolContract {
  @Override
  public Backend backend() {
    return Backend.processes(2);
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.workerProcesses();
  }
}
