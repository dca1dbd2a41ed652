package dev.unipool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Hint;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.TaskFuture;
import dev.unipool.TaskOptions;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Routing decisions by measurement. The CPU-bound task burns a fixed amount of CPU time (not wall
 * time), and the I/O-bound one only sleeps, so the measured CPU/wall ratios are far apart on a loaded
 * machine too; no assertion depends on how long anything takes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AutoRoutingTest {

  /** Busy for 30 ms of this thread's CPU time (a fixed amount of work where CPU time cannot be read). */
  static long burn() {
    var mx = ManagementFactory.getThreadMXBean();
    long start = mx.getCurrentThreadCpuTime();
    long x = 0;
    if (start < 0) { // virtual threads report no CPU time
      for (int i = 0; i < 50_000_000; i++) {
        x += i * 31L ^ x;
      }
      return x;
    }
    while (mx.getCurrentThreadCpuTime() - start < 30_000_000L) {
      for (int i = 0; i < 10_000; i++) {
        x += i * 31L ^ x;
      }
    }
    return x;
  }

  private static AutoPool auto() {
    return new AutoPool(Backend.auto(), PoolOptions.defaults());
  }

  private static void runAll(List<TaskFuture<?>> fs) throws Exception {
    for (TaskFuture<?> f : fs) {
      f.get(60, TimeUnit.SECONDS);
    }
  }

  /**
   * Shutting down while a kind's first run is being measured: every task submitted before still
   * completes with its value. A probe that had taken the tasks waiting for its decision, but not yet handed
   * them to their route, used to find the route closed, failing one with RejectedExecutionException.
   * The window is narrow, so the test goes round many times.
   */
  @Test
  void shutdownWhileTheFirstRunIsMeasured_losesNoAcceptedTask() throws Exception {
    for (int round = 0; round < 300; round++) {
      List<TaskFuture<Integer>> fs = new ArrayList<>();
      AutoPool pool = auto();
      try {
        for (int i = 0; i < 8; i++) {
          int n = i;
          fs.add(pool.submit(() -> n * n));
        }
      } finally {
        pool.shutdown();
      }
      for (int i = 0; i < fs.size(); i++) {
        assertEquals(i * i, fs.get(i).get(60, TimeUnit.SECONDS), "round " + round + ", task " + i);
      }
      assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    }
  }

  @Test
  void cpuBoundKind_goesToPlatformThreads_ioBoundKind_toVirtualThreads() throws Exception {
    try (AutoPool pool = auto()) {
      List<TaskFuture<?>> fs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        fs.add(pool.submit(AutoRoutingTest::burn, TaskOptions.none().withKind("crunch")));
        fs.add(pool.submit(() -> {
          Thread.sleep(30);
          return Thread.currentThread().isVirtual();
        }, TaskOptions.none().withKind("wait")));
      }
      runAll(fs);
      assertEquals(AutoPool.Route.CPU, pool.routeOf("crunch"), pool.explain());
      assertEquals(AutoPool.Route.IO, pool.routeOf("wait"), pool.explain());
      // After the decision, waits really run on virtual threads and crunching on platform threads.
      assertTrue(pool.submit(() -> Thread.currentThread().isVirtual(), TaskOptions.none().withKind("wait"))
          .get(60, TimeUnit.SECONDS));
      assertTrue(!pool.submit(() -> Thread.currentThread().isVirtual(), TaskOptions.none().withKind("crunch"))
          .get(60, TimeUnit.SECONDS));
      String explain = pool.explain();
      assertTrue(explain.contains("crunch") && explain.contains("platform threads"), explain);
      assertTrue(explain.contains("wait") && explain.contains("virtual threads"), explain);
    }
  }

  @Test
  void kindIsTheLambdasCallSite_byDefault() throws Exception {
    try (AutoPool pool = auto()) {
      for (int i = 0; i < 3; i++) {
        pool.submit(() -> {
          Thread.sleep(10);
          return 1;
        }).get(60, TimeUnit.SECONDS);
      }
      String explain = pool.explain();
      assertTrue(explain.contains("AutoRoutingTest.lambda$kindIsTheLambdasCallSite_byDefault"), explain);
      assertTrue(explain.contains("1 kind(s)"), explain);
    }
  }

  @Test
  void hintsWin_overMeasurement() throws Exception {
    try (AutoPool pool = auto()) {
      // A waiting task hinted CPU runs on a platform thread; a burning task hinted IO on a virtual thread.
      assertTrue(!pool.submit(() -> Thread.currentThread().isVirtual(), TaskOptions.hint(Hint.CPU).withKind("w"))
          .get(60, TimeUnit.SECONDS));
      assertTrue(pool.submit(() -> {
        burn();
        return Thread.currentThread().isVirtual();
      }, TaskOptions.hint(Hint.IO).withKind("b")).get(60, TimeUnit.SECONDS));
      assertEquals(AutoPool.Route.CPU, pool.routeOf("w"));
      assertEquals(AutoPool.Route.IO, pool.routeOf("b"));
      assertTrue(pool.explain().contains("hint CPU"), pool.explain());
    }
  }

  @Test
  void kindThatChangesBehaviour_isRerouted() throws Exception {
    try (AutoPool pool = auto()) {
      TaskOptions opts = TaskOptions.none().withKind("shifty");
      for (int i = 0; i < 3; i++) {
        pool.submit(AutoRoutingTest::burn, opts).get(60, TimeUnit.SECONDS);
      }
      assertEquals(AutoPool.Route.CPU, pool.routeOf("shifty"));
      // Now the same kind only waits: measured on every run on platform threads, it moves to virtual.
      for (int i = 0; i < 20 && pool.routeOf("shifty") == AutoPool.Route.CPU; i++) {
        pool.submit(() -> {
          Thread.sleep(20);
          return 0L;
        }, opts).get(60, TimeUnit.SECONDS);
      }
      assertEquals(AutoPool.Route.IO, pool.routeOf("shifty"), pool.explain());
    }
  }

  @Test
  void manyTasksOfANewKind_waitForTheFirstMeasurement_thenAllComplete() throws Exception {
    try (Pool pool = Pool.of(Backend.auto())) {
      List<TaskFuture<?>> fs = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        fs.add(pool.submit(() -> {
          Thread.sleep(5);
          return Thread.currentThread().isVirtual();
        }, TaskOptions.none().withKind("burst")));
      }
      runAll(fs);
      long virtual = fs.stream().filter(f -> (Boolean) f.resultNow()).count();
      assertTrue(virtual >= 490, "all but the probe run on virtual threads: " + virtual);
    }
  }

  /** Regression: queued CPU-route tasks were neither returned nor cancelled by shutdownNow, so they hung. */
  @Test
  void shutdownNow_returnsAndCancelsQueuedCpuTasks() throws Exception {
    AutoPool pool = new AutoPool(new Backend.Auto(1, 1), PoolOptions.defaults());
    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    TaskFuture<Integer> busy = pool.submit(() -> {
      running.countDown();
      never.await();
      return 0;
    }, TaskOptions.hint(Hint.CPU).withKind("held"));
    assertTrue(running.await(60, TimeUnit.SECONDS));
    TaskFuture<Integer> q1 = pool.submit(() -> 1, TaskOptions.hint(Hint.CPU).withKind("held"));
    TaskFuture<Integer> q2 = pool.submit(() -> 2, TaskOptions.hint(Hint.CPU).withKind("held"));
    List<Runnable> returned = pool.shutdownNow();
    assertEquals(2, returned.size());
    assertTrue(q1.isCancelled() && q2.isCancelled());
    assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    assertTrue(busy.isDone());
  }

  @Test
  void explain_onOtherBackends_namesTheBackend() {
    try (Pool pool = Pool.of(Backend.threads(2))) {
      assertEquals("threads:2: every task runs on this backend", pool.explain());
    }
  }
}
