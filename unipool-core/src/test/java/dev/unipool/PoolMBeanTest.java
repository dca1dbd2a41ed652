package dev.unipool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;

/** Every open pool is an MXBean in the platform server, from Pool.of until it has terminated. */
class PoolMBeanTest {
  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

  private static ObjectName name(String poolName) throws Exception {
    return new ObjectName("dev.unipool:type=Pool,name=" + poolName);
  }

  /** Registration runs in the background (Pool.of does not pay for JMX): wait for it, bounded. */
  private void awaitRegistered(ObjectName on) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!server.isRegistered(on)) {
      assertTrue(System.nanoTime() < deadline, () -> on + " not registered within 30 s");
      Thread.sleep(5); // polling the MBean server
    }
  }

  @Test
  void openPool_isRegistered_withItsStats_andLeavesOnClose() throws Exception {
    String n = "mbean-" + UUID.randomUUID();
    ObjectName on = name(n);
    try (Pool pool = Pool.of(Backend.threads(2), PoolOptions.defaults().name(n))) {
      awaitRegistered(on);
      for (int i = 0; i < 3; i++) {
        pool.submit(() -> 1).get();
      }
      PoolMXBean view = JMX.newMXBeanProxy(server, on, PoolMXBean.class);
      assertEquals(n, view.getName());
      assertEquals("threads:2", view.getBackend());
      assertEquals("running", view.getState());
      assertEquals(3L, server.getAttribute(on, "Submitted"));
      assertEquals(3L, server.getAttribute(on, "Completed"));
      assertEquals(0L, server.getAttribute(on, "Failed"));
      CompositeData[] workers = (CompositeData[]) server.getAttribute(on, "Workers");
      assertEquals(view.getWorkerCount(), workers.length);
      assertEquals(workers.length, view.getWorkers().size(), "a proxy reads the rows back as records");
      long ran = 0;
      for (CompositeData w : workers) {
        assertTrue(((String) w.get("name")).startsWith(n + "-"), w::toString);
        assertEquals(ProcessHandle.current().pid(), w.get("pid"));
        ran += (Long) w.get("tasksRun");
      }
      assertEquals(3, ran);
      assertTrue(view.getStatsTable().contains("3 completed"), view.getStatsTable());
      assertTrue(((String) server.invoke(on, "explain", null, null)).contains("threads:2"));
    }
    assertFalse(server.isRegistered(on), "unregistered once closed");
  }

  @Test
  void poolsWithTheSameName_getNumberedNames() throws Exception {
    String n = "twin-" + UUID.randomUUID();
    Pool first = Pool.of(Backend.inline(), PoolOptions.defaults().name(n));
    Pool second = Pool.of(Backend.inline(), PoolOptions.defaults().name(n));
    try {
      awaitRegistered(name(n)); // registered in order, by one background thread
      awaitRegistered(name(n + "-2"));
      first.close();
      assertFalse(server.isRegistered(name(n)));
      assertTrue(server.isRegistered(name(n + "-2")), "the other pool stays");
    } finally {
      first.close();
      second.close();
    }
    assertFalse(server.isRegistered(name(n + "-2")));
  }

  @Test
  void shutdownWithoutWaiting_leavesJmxOnceTerminated() throws Exception {
    String n = "lone-" + UUID.randomUUID();
    Pool pool = Pool.of(Backend.virtual(), PoolOptions.defaults().name(n));
    awaitRegistered(name(n));
    pool.submit(() -> 1).get();
    pool.shutdown(); // nobody calls close, awaitTermination or isTerminated
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.isRegistered(name(n))) {
      assertTrue(System.nanoTime() < deadline, "still registered 30 s after shutdown");
      Thread.sleep(20); // polling the MBean server for the background check
    }
  }

  @Test
  void poolClosedAtOnce_neverStaysRegistered() throws Exception {
    String n = "brief-" + UUID.randomUUID();
    Pool.of(Backend.inline(), PoolOptions.defaults().name(n)).close(); // maybe before its registration ran
    Pool marker = Pool.of(Backend.inline(), PoolOptions.defaults().name(n + "-marker"));
    try {
      awaitRegistered(name(n + "-marker")); // registrations run in order: the first one's turn has passed
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (server.isRegistered(name(n))) { // a registration racing the close is undone by its check
        assertTrue(System.nanoTime() < deadline, "a closed pool stayed registered");
        Thread.sleep(5);
      }
    } finally {
      marker.close();
    }
  }

  @Test
  void namesWithSpecialCharacters_areQuoted() throws Exception {
    String n = "a,b=c:" + UUID.randomUUID();
    try (Pool pool = Pool.of(Backend.inline(), PoolOptions.defaults().name(n))) {
      ObjectName on = new ObjectName("dev.unipool:type=Pool,name=" + ObjectName.quote(n));
      awaitRegistered(on);
      assertEquals(n, server.getAttribute(on, "Name"));
      pool.submit(() -> 1).get();
    }
  }
}
