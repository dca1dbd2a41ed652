package dev.unipool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.TaskFuture;
import dev.unipool.WorkerCrashedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * 10,000 tasks while workers are killed at random: every future completes, none is lost, none hangs;
 * with retries every task succeeds. Kill count and task count are bounded, so the run is bounded.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ChaosTest {
  private static final int TASKS = 10_000;
  private static final int KILLS = 8;

  @ParameterizedTest(name = "retries={0}")
  @ValueSource(ints = {0, 2})
  void randomWorkerKills_everyFutureCompletes(int retries) throws Exception {
    Random random = new Random(42);
    try (Pool pool = Pool.of(Backend.processes(2), PoolOptions.defaults().retries(retries))) {
      List<TaskFuture<Integer>> futures = new ArrayList<>(TASKS);
      AtomicBoolean done = new AtomicBoolean();
      AtomicInteger kills = new AtomicInteger();
      Thread killer = Thread.ofPlatform().start(() -> {
        while (!done.get() && kills.get() < KILLS) {
          try {
            Thread.sleep(50 + random.nextInt(150)); // chaos pacing, not synchronisation
          } catch (InterruptedException e) {
            return;
          }
          List<TaskFuture<Integer>> snapshot;
          synchronized (futures) {
            snapshot = futures.isEmpty() ? List.of() : List.of(futures.get(random.nextInt(futures.size())));
          }
          snapshot.forEach(f -> f.worker().flatMap(w -> ProcessHandle.of(w.pid())).ifPresent(p -> {
            if (p.destroyForcibly()) {
              kills.incrementAndGet();
            }
          }));
        }
      });
      for (int i = 0; i < TASKS; i++) {
        int n = i;
        TaskFuture<Integer> f = pool.submit(() -> {
          Thread.sleep(n % 97 == 0 ? 5 : 0); // a few slower tasks so kills land mid-task
          return n;
        });
        synchronized (futures) {
          futures.add(f);
        }
      }
      int ok = 0;
      int crashed = 0;
      for (int i = 0; i < TASKS; i++) {
        try {
          assertEquals(i, futures.get(i).get(120, TimeUnit.SECONDS));
          ok++;
        } catch (ExecutionException e) {
          assertInstanceOf(WorkerCrashedException.class, e.getCause());
          crashed++;
        }
      }
      done.set(true);
      killer.join();
      assertEquals(TASKS, ok + crashed);
      if (retries >= 2) {
        assertEquals(0, crashed, "with retries(2) every task succeeds despite " + kills + " kills");
      }
      assertTrue(crashed <= kills.get(), "only tasks running on a killed worker fail");
      System.out.printf("chaos retries=%d: %d kills, %d ok, %d crashed%n", retries, kills.get(), ok, crashed);
    }
  }
}
