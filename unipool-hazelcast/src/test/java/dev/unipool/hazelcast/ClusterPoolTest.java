package dev.unipool.hazelcast;

import dev.unipool.Backend;
import dev.unipool.testkit.Capabilities;
import dev.unipool.testkit.PoolContract;
import org.junit.jupiter.api.BeforeAll;

/** The backend contract, unchanged, on a cluster of two member JVMs with two task threads each. */
class ClusterPoolTest extends PoolContract {
  private static TestCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = TestCluster.shared();
  }

  @Override
  public Backend backend() {
    return cluster.backend();
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.sharedProcesses();
  }
}
