package dev.unipool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Futures;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the README's "Use it in your project" says about code written for a plain ExecutorService on a
 * remote backend: wrappers of the JDK fail at submit, in the caller, with a message that names the wrapper
 * and the Pool call to use instead; and that call works.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExecutorServiceCodeTest {
  private static Pool pool;

  @BeforeAll
  static void open() {
    pool = Pool.of(Backend.processes(1));
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  @Test
  void supplyAsyncOnThePool_failsAtTheCall_namingTheWrapper() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CompletableFuture.supplyAsync(() -> 1, pool));
    assertTrue(e.getMessage().contains("CompletableFuture.supplyAsync"), e.getMessage());
  }

  @Test
  void executorCompletionService_failsAtSubmit_pointingToFuturesAsCompleted() {
    ExecutorCompletionService<Integer> ecs = new ExecutorCompletionService<>(pool);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ecs.submit(() -> 1));
    assertTrue(e.getMessage().contains("Futures.asCompleted"), e.getMessage());
  }

  @Test
  void invokeAllOfPlainLambdas_throughAnExecutorServiceVariable_failsExplainingTheCast() {
    ExecutorService asExecutor = pool;
    List<Callable<Integer>> plain = List.of(() -> 1, () -> 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> asExecutor.invokeAll(plain));
    assertTrue(e.getMessage().contains("(Callable<T> & Serializable)"), e.getMessage());
  }

  @Test
  void theAdvisedReplacements_work() throws Exception {
    TaskFuture<Integer> f = pool.submit(() -> 21);
    assertEquals(42, f.thenApply(x -> x * 2).toCompletableFuture().get(60, TimeUnit.SECONDS));
    List<TaskFuture<Integer>> all = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      int n = i;
      all.add(pool.submit(() -> n * n));
    }
    int sum = 0;
    for (TaskFuture<Integer> done : Futures.asCompleted(all)) {
      sum += done.get();
    }
    assertEquals(14, sum);
  }
}
