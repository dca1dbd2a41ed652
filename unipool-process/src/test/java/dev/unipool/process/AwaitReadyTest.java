package dev.unipool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.WorkerStats;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Pool#awaitReady}: prestarting worker processes before the first task. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AwaitReadyTest {
  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @Test
  void returnsOnceEveryWorkerIsReady() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(2))) {
      assertTrue(pool.awaitReady(PATIENCE));
      for (WorkerStats w : pool.stats().workers()) {
        assertTrue(w.state() != WorkerStats.State.STARTING, "ready after awaitReady: " + w);
        assertTrue(w.pid() > 0, "a live process: " + w);
      }
      assertEquals(2, pool.stats().workers().size());
      assertTrue(pool.awaitReady(Duration.ZERO), "still ready: a second call only checks");
      assertEquals(7, pool.submit(() -> 7).get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
    }
  }

  @Test
  void zeroTimeout_onlyChecks_andTasksStillRun() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      pool.awaitReady(Duration.ZERO); // true or false, depending on how fast the JVM started; never blocks
      assertEquals(1, pool.submit(() -> 1).get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
      assertTrue(pool.awaitReady(PATIENCE));
    }
  }

  @Test
  void workersThatCannotStart_throw_withTheCause() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1).jvmArgs("-XX:+NoSuchUnipoolFlag"))) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.awaitReady(PATIENCE));
      assertTrue(e.getMessage().contains("broken"), e.getMessage());
      assertTrue(String.valueOf(e.getCause()).contains("NoSuchUnipoolFlag"), "names the JVM's complaint: " + e.getCause());
    }
  }

  @Test
  void threeWorkersThatCannotStart_breakThePool_thoughOnlyTheFirstStartsAtOnce() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(3).jvmArgs("-XX:+NoSuchUnipoolFlag"))) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.awaitReady(PATIENCE));
      assertTrue(String.valueOf(e.getCause()).contains("NoSuchUnipoolFlag"), "names the JVM's complaint: " + e.getCause());
    }
  }

  @Test
  void shutDownBeforeTheLaterWorkersStart_terminates_andLeavesNoWorker() throws Exception {
    Pool pool = Pool.of(Backend.processes(3)); // the first starts at once, the others once it is ready
    pool.shutdown();
    assertTrue(pool.awaitTermination(PATIENCE.toSeconds(), TimeUnit.SECONDS), "terminates without them");
    assertEquals(0, ProcessHandle.current().children()
        .filter(p -> p.info().commandLine().orElse("").contains("WorkerMain")).filter(ProcessHandle::isAlive).count());
  }

  @Test
  void theWorkersStartedAfterTheFirst_allBecomeReady_asDistinctProcesses() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(3))) {
      assertTrue(pool.awaitReady(PATIENCE));
      assertEquals(3, pool.stats().workers().stream().mapToLong(WorkerStats::pid).distinct().filter(p -> p > 0).count(),
          () -> "three live processes: " + pool.stats().workers());
    }
  }

  @Test
  void afterShutdown_throws() throws Exception {
    Pool pool = Pool.of(Backend.processes(1));
    pool.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.awaitReady(PATIENCE));
    assertTrue(e.getMessage().contains("shut down"), e.getMessage());
  }
}
