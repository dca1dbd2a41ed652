package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.PATIENCE;
import static dev.unipool.testkit.ContractSupport.awaitDone;
import static dev.unipool.testkit.ContractSupport.awaitStats;
import static dev.unipool.testkit.ContractSupport.failing;
import static dev.unipool.testkit.ContractSupport.failureOf;
import static dev.unipool.testkit.ContractSupport.get;
import static dev.unipool.testkit.ContractSupport.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.unipool.MapOptions;
import dev.unipool.Pool;
import dev.unipool.PoolStats;
import dev.unipool.TaskFuture;
import dev.unipool.Worker;
import dev.unipool.WorkerCrashedException;
import dev.unipool.WorkerInfo;
import dev.unipool.WorkerStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code Pool.stats()}: exact counts after a known workload, running and waiting tasks, the workers' processes, restarts.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface StatsContract extends PoolFixture {
  @Test
  default void stats_afterKnownWorkload_countEveryOutcomeExactly() throws Exception {
    Pool p = pool();
    for (int i = 0; i < 5; i++) {
      int n = i;
      assertEquals(n, get(p.submit(() -> n)));
    }
    for (int i = 0; i < 3; i++) {
      awaitDone(p.submit(failing("failure " + i)));
    }
    assertEquals(range(0, 20), p.map(x -> x, range(0, 20), MapOptions.chunkSize(5))); // four chunks: four tasks
    int cancelled = 0;
    if (capabilities().runsConcurrently()) {
      HeldTask held = newHeldTask();
      TaskFuture<String> f = p.submit(held);
      held.started().await(PATIENCE);
      assertTrue(f.cancel(true));
      held.interrupted().await(PATIENCE);
      cancelled = 1;
    }
    long submitted = 5L + 3 + 4 + cancelled;
    // A worker counts a task when the task returns; a cancelled one may still be returning.
    PoolStats s = awaitStats(p, st -> st.tasksRun() == submitted && st.running() == 0,
        "every task counted by the worker that ran it");
    assertEquals(submitted, s.submitted(), s::table);
    assertEquals(9, s.completed(), s::table);
    assertEquals(3, s.failed(), s::table);
    assertEquals(cancelled, s.cancelled(), s::table);
    assertEquals(0, s.queued(), s::table);
    assertEquals(p.options().name(), s.name());
    assertEquals(p.backend().toString(), s.backend());
    assertFalse(s.workers().isEmpty(), "no workers listed");
    for (WorkerStats w : s.workers()) {
      assertFalse(w.name().isBlank(), () -> "unnamed worker in " + s.table());
      assertTrue(w.utilization() >= 0 && w.utilization() <= 1, s::table);
    }

    p.close();
    PoolStats after = awaitStats(p,
        st -> st.workers().stream().allMatch(w -> w.state() == WorkerStats.State.STOPPED),
        "every worker stopped after close");
    assertEquals(submitted, after.submitted(), after::table);
    assertEquals(submitted, after.tasksRun(), after::table);
  }

  @Test
  default void stats_whileWorkersAreBusy_countRunningAndWaitingTasks() throws Exception {
    Pool p = pool();
    int workers = assumeFillable(p);
    FileSignal release = newSignal();
    List<TaskFuture<String>> holders = occupy(p, workers, release);
    TaskFuture<Integer> waiting1 = p.submit(() -> 1);
    TaskFuture<Integer> waiting2 = p.submit(() -> 2);
    // Worker processes may take the waiting ones in ahead (prefetch): they then count as running.
    PoolStats busy = awaitStats(p, st -> st.running() >= workers && st.running() + st.queued() == workers + 2,
        "held tasks running, the others waiting");
    assertEquals(0, busy.finished(), busy::table);
    assertTrue(busy.workers().stream().filter(w -> w.state() == WorkerStats.State.BUSY).count() >= 1, busy::table);
    release.fire();
    for (TaskFuture<String> h : holders) {
      assertEquals(HeldTask.RELEASED, get(h));
    }
    assertEquals(1, get(waiting1));
    assertEquals(2, get(waiting2));
    PoolStats done = awaitStats(p, st -> st.running() == 0 && st.queued() == 0, "nothing running");
    assertEquals(workers + 2, done.completed(), done::table);
  }

  @Test
  default void stats_workers_nameTheProcessesThatRanTasks() throws Exception {
    Pool p = pool();
    WorkerInfo who = get(p.submit(() -> Worker.current()));
    PoolStats s = p.stats();
    assertTrue(s.workers().stream().anyMatch(w -> w.pid() == who.pid()),
        () -> "no worker with pid " + who.pid() + " in " + s.table());
    long me = ProcessHandle.current().pid();
    if (capabilities().workersAreProcesses()) {
      assertTrue(s.workers().stream().noneMatch(w -> w.pid() == me), s::table);
      assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "resident memory is read from /proc (Linux)");
      awaitStats(p, st -> st.workers().stream().anyMatch(w -> w.pid() == who.pid() && w.rssBytes() > 0),
          "the resident memory of the worker that ran the task");
    } else {
      for (WorkerStats w : s.workers()) {
        assertEquals(me, w.pid(), s::table);
        assertEquals(-1, w.rssBytes(), s::table);
        assertEquals(Duration.ZERO, w.encoding(), s::table);
        assertEquals(0, w.restarts(), s::table);
      }
    }
  }

  @Test
  default void stats_crashedWorker_isReplacedAndCountedAsARestart() throws Exception {
    assumeTrue(capabilities().ownsWorkerProcesses(), "only backends whose tasks may end their worker's JVM");
    Pool p = pool();
    assertEquals(1, get(p.submit(() -> 1)));
    TaskFuture<Integer> crash = p.submit(() -> {
      Runtime.getRuntime().halt(3);
      return 0;
    });
    assertInstanceOf(WorkerCrashedException.class, failureOf(crash));
    PoolStats s = awaitStats(p, st -> st.workers().stream().mapToInt(WorkerStats::restarts).sum() == 1
            && st.workers().stream().allMatch(w -> w.state() == WorkerStats.State.IDLE),
        "the crashed worker replaced by a ready one");
    assertEquals(1, s.completed(), s::table);
    assertEquals(1, s.failed(), s::table);
    assertEquals(2, get(p.submit(() -> 2)), "the pool goes on");
  }
}
