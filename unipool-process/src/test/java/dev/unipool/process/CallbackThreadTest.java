package dev.unipool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
