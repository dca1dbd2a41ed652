package dev.unipool.process;

import dev.unipool.Backend;
import dev.unipool.testkit.PoolContract;

/** The backend contract, unchanged, on two worker JVMs. */
class ProcessPoolTest extends PoolContract {
  @Override
  protected Backend backend() {
    return Backend.processes(2);
  }

  @Override
  protected boolean workersAreProcesses() {
    return true;
  }

  @Override
  protected boolean replacesCrashedWorkers() {
    return true;
  }
}
