package dev.unipool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** User callbacks never run on a worker's reader thread, which they could block. */
class CallbackThreadTest {
  @Test
  void aCallbackMayWaitForAnotherTaskOfTheSameWorker() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      TaskFuture<Integer> first = pool.submit(() -> 1);
      // With one worker, the second task's result arrives on the same reader that completed the first:
      // had that reader run this callback, it would wait for itself.
      CompletableFuture<Integer> chained = first.thenApply(v -> pool.submit(() -> v + 1).join()).toCompletableFuture();
      assertEquals(2, chained.get(60, TimeUnit.SECONDS));
    }
  }

  @Test
  void aCallbackAttachedThroughAllOfMayWaitToo() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      TaskFuture<Integer> first = pool.submit(() -> 1);
      // allOf attaches its own stage to the task, not through the task's newIncompleteFuture.
      CompletableFuture<Integer> chained = CompletableFuture.allOf((CompletableFuture<?>) first)
          .thenApply(v -> pool.submit(() -> 41).join() + 1);
      assertEquals(42, chained.get(60, TimeUnit.SECONDS));
    }
  }

  @Test
  void closeReturnsOnlyAfterEveryTaskIsComplete() throws Exception {
    for (int round = 0; round < 20; round++) {
      TaskFuture<Integer> f;
      try (Pool pool = Pool.of(Backend.processes(1))) {
        f = pool.submit(() -> 7);
        f.thenRun(() -> { }); // completion now goes through the callbacks executor
      }
      assertTrue(f.isDone(), "round " + round + ": close() returned before the task's future was done");
    }
  }
}
