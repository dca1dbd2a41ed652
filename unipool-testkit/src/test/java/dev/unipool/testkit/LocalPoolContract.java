package dev.unipool.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.unipool.Pool;
import dev.unipool.spi.QueueSlotProbe;
import java.util.List;

/**
 * The contract on the backends in {@code unipool-core}, whose pools this module's tests can look inside:
 * after each test, besides the contract's checks, the pool holds no slot of its bounded queue.
 */
abstract class LocalPoolContract extends PoolContract {
  @Override
  protected void checkInvariants(Pool p, List<Long> workerPids) throws Exception {
    super.checkInvariants(p, workerPids);
    assertEquals(0, QueueSlotProbe.taken(p), () -> p + " still holds queue slots after termination");
  }
}
