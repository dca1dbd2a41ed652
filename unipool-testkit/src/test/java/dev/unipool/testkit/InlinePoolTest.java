package dev.unipool.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The contract on {@link Backend#inline()}: every task runs inside {@code submit}. Plus what only a
 * backend that runs tasks inside {@code submit} shows: {@code invokeAll} and {@code invokeAny} must not
 * start tasks the JDK's caller-runs executors would not (found with the JSR-166 TCK).
 */
class InlinePoolTest extends LocalPoolContract {
  @Override
  public Backend backend() {
    return Backend.inline();
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.inProcess().withoutConcurrency();
  }

  @Test
  void timedInvokeAll_startsNoTaskAfterTheDeadline_andReturnsThoseCancelled() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(100);
    Callable<String> outlastsTheDeadline = () -> {
      ran.incrementAndGet();
      outlast(timeoutNanos);
      return "first";
    };
    Callable<String> counts = () -> "ran " + ran.incrementAndGet();
    List<Future<String>> futures = pool().invokeAll(List.of(outlastsTheDeadline, counts, counts), timeoutNanos, TimeUnit.NANOSECONDS);
    assertEquals(1, ran.get(), "tasks after the deadline must not run");
    assertEquals("first", futures.get(0).resultNow());
    assertTrue(futures.get(1).isCancelled() && futures.get(2).isCancelled(), futures::toString);
  }

  @Test
  void invokeAny_stopsStartingTasksOnceOneSucceeds() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    Callable<String> fails = () -> {
      ran.incrementAndGet();
      throw new ContractException("no", 0);
    };
    Callable<String> succeeds = () -> "ok " + ran.incrementAndGet();
    assertEquals("ok 2", pool().invokeAny(List.of(fails, succeeds, succeeds, succeeds)));
    assertEquals(2, ran.get(), "tasks after the first success must not run");
    assertEquals("ok 3", pool().invokeAny(List.of(succeeds, succeeds), 1, TimeUnit.MINUTES));
    assertEquals(3, ran.get());
  }

  @Test
  void timedInvokeAny_afterTheDeadline_startsNoMoreTasks_andTimesOut() {
    AtomicInteger ran = new AtomicInteger();
    long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(100);
    Callable<String> failsPastTheDeadline = () -> {
      ran.incrementAndGet();
      outlast(timeoutNanos);
      throw new ContractException("late", 0);
    };
    Callable<String> counts = () -> "ran " + ran.incrementAndGet();
    assertThrows(TimeoutException.class,
        () -> pool().invokeAny(List.of(failsPastTheDeadline, counts), timeoutNanos, TimeUnit.NANOSECONDS));
    assertEquals(1, ran.get(), "a task after the deadline must not run");
  }

  /**
   * Runs in the first task until its call's deadline has surely passed: the deadline is the call's start
   * plus the timeout, and the task starts after the call did. A clock condition, not a sleep standing in
   * for one: whatever the load, the deadline has passed when this returns.
   */
  private static void outlast(long timeoutNanos) {
    long until = System.nanoTime() + timeoutNanos;
    while (System.nanoTime() - until <= 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  @Test
  void invokeAllAndAny_nullTask_isRejectedBeforeAnyTaskRuns() {
    AtomicInteger ran = new AtomicInteger();
    Callable<String> counts = () -> "ran " + ran.incrementAndGet();
    java.util.ArrayList<Callable<String>> withNull = new java.util.ArrayList<>(List.of(counts));
    withNull.add(null);
    Pool p = pool();
    assertThrows(NullPointerException.class, () -> p.invokeAll(withNull));
    assertThrows(NullPointerException.class, () -> p.invokeAll(withNull, 1, TimeUnit.MINUTES));
    assertThrows(NullPointerException.class, () -> p.invokeAny(withNull));
    assertThrows(NullPointerException.class, () -> p.invokeAny(withNull, 1, TimeUnit.MINUTES));
    assertEquals(0, ran.get());
  }

  @Test
  void invokeAny_allFail_throwsTheLastFailure() {
    Callable<String> fails = () -> {
      throw new ContractException("no", 0);
    };
    ExecutionException e = assertThrows(ExecutionException.class, () -> pool().invokeAny(List.of(fails, fails)));
    assertTrue(e.getCause() instanceof ContractException, e::toString);
  }
}
