package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.PATIENCE;
import static dev.unipool.testkit.ContractSupport.SHORT;
import static dev.unipool.testkit.ContractSupport.failing;
import static dev.unipool.testkit.ContractSupport.get;
import static dev.unipool.testkit.ContractSupport.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.DeadlineExceededException;
import dev.unipool.Futures;
import dev.unipool.TaskFuture;
import dev.unipool.WaitMode;
import dev.unipool.WaitResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@code Futures.asCompleted} and {@code Futures.await} over tasks of the pool.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface CompletionContract extends PoolFixture {
  @Test
  default void asCompleted_yieldsEveryFutureOnce() throws Exception {
    List<TaskFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = i;
      futures.add(pool().submit(() -> n));
    }
    Set<TaskFuture<Integer>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Integer> values = new ArrayList<>();
    for (TaskFuture<Integer> f : Futures.asCompleted(futures)) {
      assertTrue(f.isDone(), "yielded before done");
      assertTrue(seen.add(f), "yielded twice");
      values.add(f.resultNow());
    }
    assertEquals(10, seen.size());
    Collections.sort(values);
    assertEquals(range(0, 10), values);
  }

  @Test
  default void asCompleted_eachIteratorIsANewPass() throws Exception {
    List<TaskFuture<Integer>> futures = List.of(pool().submit(() -> 1), pool().submit(() -> 2));
    Iterable<TaskFuture<Integer>> completed = Futures.asCompleted(futures);
    for (int pass = 0; pass < 2; pass++) {
      int sum = 0;
      for (TaskFuture<Integer> f : completed) {
        sum += f.resultNow();
      }
      assertEquals(3, sum, "pass " + pass);
    }
    assertFalse(Futures.asCompleted(List.<TaskFuture<Integer>>of()).iterator().hasNext());
    WaitResult<TaskFuture<Integer>> none = Futures.await(List.of(), WaitMode.ALL_COMPLETED);
    assertEquals(List.of(), none.done());
  }

  @Test
  default void asCompleted_yieldsInCompletionOrder() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> fast = pool().submit(() -> "fast"); // first, so it runs even on one worker
    TaskFuture<String> slow = pool().submit(held);
    Iterator<TaskFuture<String>> it = Futures.asCompleted(List.of(slow, fast)).iterator();
    assertTrue(it.hasNext());
    assertSame(fast, it.next());
    assertFalse(slow.isDone());
    held.release().fire();
    assertTrue(it.hasNext());
    assertSame(slow, it.next());
    assertEquals(HeldTask.RELEASED, slow.resultNow());
    assertFalse(it.hasNext());
  }

  @Test
  default void asCompleted_withTimeout_throwsDeadlineExceeded() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> done = pool().submit(() -> "done");
    get(done);
    TaskFuture<String> slow = pool().submit(held);
    Iterator<TaskFuture<String>> it = Futures.asCompleted(List.of(slow, done), SHORT).iterator();
    assertSame(done, it.next());
    DeadlineExceededException e = assertThrows(DeadlineExceededException.class, it::next);
    assertEquals(SHORT, e.timeout());
    assertFalse(slow.isDone(), "the deadline does not affect the futures");
    held.release().fire();
    assertEquals(HeldTask.RELEASED, get(slow));
  }

  @Test
  default void asCompleted_withZeroTimeout_yieldsFuturesAlreadyDone() throws Exception {
    List<TaskFuture<Integer>> futures = List.of(pool().submit(() -> 1), pool().submit(() -> 2));
    for (TaskFuture<Integer> f : futures) {
      get(f);
    }
    int count = 0;
    for (TaskFuture<Integer> f : Futures.asCompleted(futures, Duration.ZERO)) {
      assertTrue(f.isDone());
      count++;
    }
    assertEquals(2, count);
  }

  @Test
  default void await_firstCompleted_returnsWhenOneIsDone() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> fast = pool().submit(() -> "fast");
    TaskFuture<String> slow = pool().submit(held);
    WaitResult<TaskFuture<String>> r = Futures.await(List.of(slow, fast), WaitMode.FIRST_COMPLETED);
    assertEquals(List.of(fast), r.done());
    assertEquals(List.of(slow), r.pending());
  }

  @Test
  default void await_firstException_returnsOnTheFirstFailure() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> failing = pool().submit(() -> {
      throw new ContractException("first failure", 1);
    });
    TaskFuture<String> slow = pool().submit(held);
    WaitResult<TaskFuture<String>> r = Futures.await(List.of(slow, failing), WaitMode.FIRST_EXCEPTION);
    assertEquals(List.of(failing), r.done());
    assertEquals(List.of(slow), r.pending());
    assertInstanceOf(ContractException.class, failing.exceptionNow());
  }

  @Test
  default void await_firstException_withoutFailures_waitsForAll() throws Exception {
    List<TaskFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      futures.add(pool().submit(() -> n));
    }
    WaitResult<TaskFuture<Integer>> r = Futures.await(futures, WaitMode.FIRST_EXCEPTION);
    assertEquals(futures, r.done());
    assertEquals(List.of(), r.pending());
  }

  @Test
  default void await_allCompleted_waitsForEveryFuture() throws Exception {
    List<TaskFuture<String>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String s = "v" + i;
      futures.add(pool().submit(() -> s));
    }
    TaskFuture<String> failing = pool().submit(() -> {
      throw new ContractException("fails, still counts as completed", 1);
    });
    futures.add(failing);
    WaitResult<TaskFuture<String>> r = Futures.await(futures, WaitMode.ALL_COMPLETED);
    assertEquals(futures, r.done());
    assertEquals(List.of(), r.pending());
  }

  @Test
  default void await_allCompleted_waitsForARunningTask() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> fast = pool().submit(() -> "fast");
    TaskFuture<String> slow = pool().submit(held);
    Thread releaser = Thread.ofVirtual().start(() -> {
      try {
        held.started().await(PATIENCE);
        held.release().fire();
      } catch (InterruptedException | TimeoutException e) {
        throw new IllegalStateException(e);
      }
    });
    WaitResult<TaskFuture<String>> r = Futures.await(List.of(slow, fast), WaitMode.ALL_COMPLETED, PATIENCE);
    assertEquals(List.of(slow, fast), r.done());
    assertEquals(HeldTask.RELEASED, slow.resultNow());
    assertTrue(releaser.join(PATIENCE));
  }

  @Test
  default void await_withTimeout_reportsPendingFutures() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> fast = pool().submit(() -> "fast");
    get(fast);
    TaskFuture<String> slow = pool().submit(held);
    WaitResult<TaskFuture<String>> r = Futures.await(List.of(fast, slow), WaitMode.ALL_COMPLETED, SHORT);
    assertEquals(List.of(fast), r.done());
    assertEquals(List.of(slow), r.pending());
    assertFalse(slow.isDone(), "the timeout does not affect the futures");
  }
}
