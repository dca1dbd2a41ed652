package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.PATIENCE;
import static dev.unipool.testkit.ContractSupport.SHORT;
import static dev.unipool.testkit.ContractSupport.failureOf;
import static dev.unipool.testkit.ContractSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import dev.unipool.TaskOptions;
import dev.unipool.TaskTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Per-task and pool-wide run-time limits: they fail the task with {@code TaskTimeoutException}, interrupt it, and count from its start.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface TimeoutContract extends PoolFixture {
  @Test
  default void taskTimeout_perTask_failsWithTaskTimeoutExceptionAndInterrupts() throws Exception {
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held, TaskOptions.timeout(SHORT));
    TaskTimeoutException e = assertInstanceOf(TaskTimeoutException.class, failureOf(f));
    assertEquals(SHORT, e.timeout());
    assertFalse(f.isCancelled(), "a timed-out task failed, it was not cancelled");
    held.interrupted().await(PATIENCE);
    assertFalse(get(pool().submit(() -> Thread.currentThread().isInterrupted())), "interrupt leaked");
    assertFalse(Thread.currentThread().isInterrupted(), "interrupt leaked into the submitting thread");
  }

  @Test
  default void taskTimeout_poolDefault_appliesToEveryTask() throws Exception {
    Pool p = newPool(options().taskTimeout(SHORT));
    HeldTask held = newHeldTask();
    TaskFuture<String> f = p.submit(held);
    assertEquals(SHORT, assertInstanceOf(TaskTimeoutException.class, failureOf(f)).timeout());
    held.interrupted().await(PATIENCE);
    assertEquals(3, get(p.submit(() -> 3)));
  }

  @Test
  default void taskTimeout_perTask_overridesPoolDefault() throws Exception {
    Pool p = newPool(options().taskTimeout(Duration.ofMinutes(10)));
    TaskFuture<String> f = p.submit(newHeldTask(), TaskOptions.timeout(SHORT));
    assertEquals(SHORT, assertInstanceOf(TaskTimeoutException.class, failureOf(f)).timeout());
  }

  @Test
  default void taskTimeout_countsFromStart_notWhileQueued() throws Exception {
    Pool p = pool();
    int workers = assumeFillable(p);
    FileSignal release = newSignal();
    List<TaskFuture<String>> holders = occupy(p, workers, release);
    TaskFuture<Integer> queued = p.submit(() -> 1, TaskOptions.timeout(SHORT));
    Thread.sleep(SHORT.multipliedBy(3)); // the queued task is now older than its timeout, but has not started
    assertFalse(queued.isDone(), "a queued task timed out before it started");
    release.fire();
    assertEquals(1, get(queued));
    for (TaskFuture<String> h : holders) {
      assertEquals(HeldTask.RELEASED, get(h));
    }
  }
}
