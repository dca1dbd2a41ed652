package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.WAIT_SECONDS;
import static dev.unipool.testkit.ContractSupport.constant;
import static dev.unipool.testkit.ContractSupport.failing;
import static dev.unipool.testkit.ContractSupport.firing;
import static dev.unipool.testkit.ContractSupport.get;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Futures;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import dev.unipool.TaskGroup;
import dev.unipool.WaitMode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@code invokeAll} and {@code invokeAny}, and timeouts at the limits of {@code long} and {@code Duration}.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface InvokeContract extends PoolFixture {
  @Test
  default void invokeAll_returnsDoneFuturesInTaskOrder() throws Exception {
    List<Callable<String>> tasks = List.of(constant("a"), constant("b"), failing("c"), constant("d"));
    List<Future<String>> futures = pool().invokeAll(tasks);
    assertEquals(4, futures.size());
    for (Future<String> f : futures) {
      assertTrue(f.isDone());
    }
    assertEquals("a", futures.get(0).resultNow());
    assertEquals("b", futures.get(1).resultNow());
    assertEquals("c", assertInstanceOf(ContractException.class, futures.get(2).exceptionNow()).getMessage());
    assertEquals("d", futures.get(3).resultNow());
    assertEquals(List.of(), pool().invokeAll(List.<Callable<String>>of()));
  }

  @Test
  default void invokeAll_withTimeout_cancelsUnfinishedTasks() throws Exception {
    assumeConcurrent();
    assertEquals("warm", get(pool().submit(() -> "warm")));
    List<Callable<String>> tasks = List.of(constant("fast"), newHeldTask());
    List<Future<String>> futures = pool().invokeAll(tasks, 1, SECONDS);
    assertEquals(2, futures.size());
    assertEquals("fast", futures.get(0).resultNow());
    assertTrue(futures.get(1).isCancelled(), "an unfinished task is cancelled at the timeout");
    assertEquals(3, get(pool().submit(() -> 3)), "the pool still runs tasks");
  }

  @Test
  default void invokeAll_negativeTimeout_doesNotWait() throws Exception {
    assumeConcurrent();
    List<Future<String>> futures = pool().invokeAll(List.of(newHeldTask()), -1, SECONDS);
    assertTrue(futures.get(0).isCancelled(), "like the JDK's executors, a negative timeout means no waiting");
  }

  @Test
  default void invokeAll_zeroOrNegativeTimeout_startsNoTask_andReturnsThemCancelled() throws Exception {
    for (long timeout : new long[] {0, -1, Long.MIN_VALUE}) {
      FileSignal ran = newSignal();
      List<Future<String>> futures = pool().invokeAll(List.of(firing(ran, "a"), firing(ran, "b")), timeout, NANOSECONDS);
      assertEquals(2, futures.size());
      for (Future<String> f : futures) {
        assertTrue(f.isCancelled(), () -> "timeout " + timeout + ": " + f.state());
      }
      assertEquals("after", get(pool().submit(() -> "after")), "the pool still runs tasks");
      assertFalse(ran.isFired(), "timeout " + timeout + ": a task started after the deadline had passed");
    }
  }

  @Test
  default void awaitTermination_negativeOrMinTimeout_onARunningPool_returnsFalseWithoutWaiting() throws Exception {
    Pool p = pool();
    assertEquals(1, get(p.submit(() -> 1)));
    for (long timeout : new long[] {0, -1, Long.MIN_VALUE}) {
      // A deadline computed as now + Long.MIN_VALUE overflows into the far future: this would hang.
      assertFalse(p.awaitTermination(timeout, NANOSECONDS), "running, yet terminated");
    }
    assertFalse(p.awaitTermination(Long.MIN_VALUE, TimeUnit.DAYS));
    p.shutdown();
    assertTrue(p.awaitTermination(Long.MAX_VALUE, NANOSECONDS));
    assertTrue(p.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS));
    assertTrue(p.awaitTermination(Long.MIN_VALUE, NANOSECONDS), "terminated: no waiting needed");
  }

  @Test
  default void hugeTimeouts_meanNoLimit_withoutOverflow() throws Exception {
    Duration forever = Duration.ofSeconds(Long.MAX_VALUE); // toNanos() would throw ArithmeticException
    TaskFuture<Integer> f = pool().submit(() -> 7);
    assertEquals(List.of(f), Futures.await(List.of(f), WaitMode.ALL_COMPLETED, forever).done());
    for (TaskFuture<Integer> done : Futures.asCompleted(List.of(f), forever)) {
      assertEquals(7, done.join());
    }
    assertEquals("x", pool().invokeAll(List.of(constant("x")), Long.MAX_VALUE, NANOSECONDS).getFirst().resultNow());
    assertEquals("y", pool().invokeAny(List.of(constant("y")), Long.MAX_VALUE, TimeUnit.DAYS));
    TaskFuture<Integer> part;
    try (TaskGroup group = TaskGroup.open(pool()).failAfter(forever)) {
      part = group.fork(() -> 8);
      group.join();
    }
    assertEquals(8, part.resultNow());
  }

  @Test
  default void invokeAny_returnsAResultOfASuccessfulTask() throws Exception {
    List<Callable<String>> tasks = List.of(failing("x"), constant("ok"), failing("y"));
    assertEquals("ok", pool().invokeAny(tasks));
    assertEquals("ok", pool().invokeAny(tasks, WAIT_SECONDS, SECONDS));
  }

  @Test
  default void invokeAny_allFail_throwsExecutionException() throws Exception {
    List<Callable<String>> tasks = List.of(failing("x"), failing("y"));
    ExecutionException e = assertThrows(ExecutionException.class, () -> pool().invokeAny(tasks));
    ContractException cause = assertInstanceOf(ContractException.class, e.getCause());
    assertTrue(Set.of("x", "y").contains(cause.getMessage()), cause::getMessage);
  }

  @Test
  default void invokeAny_withTimeout_throwsTimeoutExceptionAndCancelsTheTasks() throws Exception {
    assumeConcurrent();
    assertThrows(TimeoutException.class, () -> pool().invokeAny(List.of(newHeldTask()), 100, MILLISECONDS));
    assertEquals(4, get(pool().submit(() -> 4)));
    pool().shutdown();
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS), "invokeAny left its task running");
  }

  @Test
  default void invokeAny_cancelsTheOtherTasksOnceOneSucceeds() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    assertEquals("ok", pool().invokeAny(List.of(constant("ok"), held)));
    pool().shutdown();
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS), "invokeAny left a task running");
    assertFalse(held.release().isFired());
  }

  @Test
  default void invokeAny_noTasks_isIllegal() {
    assertThrows(IllegalArgumentException.class, () -> pool().invokeAny(List.<Callable<String>>of()));
  }
}
