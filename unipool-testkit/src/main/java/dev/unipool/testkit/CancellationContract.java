package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.PATIENCE;
import static dev.unipool.testkit.ContractSupport.WAIT_SECONDS;
import static dev.unipool.testkit.ContractSupport.get;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.TaskFuture;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@code cancel} of queued, running and finished tasks, and {@code get} with a timeout.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface CancellationContract extends PoolFixture {
  @Test
  default void cancel_runningTask_interruptsItAndThePoolRunsTheNextTask() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held);
    held.started().await(PATIENCE);
    assertTrue(f.cancel(true));
    assertTrue(f.isCancelled());
    assertTrue(f.isDone());
    assertEquals(Future.State.CANCELLED, f.state());
    assertThrows(CancellationException.class, () -> f.get(WAIT_SECONDS, SECONDS));
    assertThrows(CancellationException.class, f::join);
    assertFalse(f.cancel(true), "cancelling twice");
    held.interrupted().await(PATIENCE);
    assertFalse(get(pool().submit(() -> Thread.currentThread().isInterrupted())), "interrupt leaked");
  }

  @Test
  default void cancel_queuedTask_neverRuns() throws Exception {
    int workers = assumeFillable(pool());
    FileSignal release = newSignal();
    List<TaskFuture<String>> holders = occupy(pool(), workers, release);
    FileSignal ran = newSignal();
    TaskFuture<Integer> queued = pool().submit(() -> {
      ran.fire();
      return 1;
    });
    assertTrue(queued.cancel(true));
    assertTrue(queued.isCancelled());
    assertThrows(CancellationException.class, () -> queued.get(WAIT_SECONDS, SECONDS));
    assertTrue(queued.worker().isEmpty(), "a task cancelled before it started has no worker");
    assertNull(queued.timings().started());
    release.fire();
    for (TaskFuture<String> h : holders) {
      assertEquals(HeldTask.RELEASED, get(h));
    }
    assertEquals(2, get(pool().submit(() -> 2)));
    pool().shutdown();
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS));
    assertFalse(ran.isFired(), "the cancelled task ran");
  }

  @Test
  default void cancel_completedTask_returnsFalseAndKeepsTheResult() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> 11);
    assertEquals(11, get(f));
    assertFalse(f.cancel(true));
    assertFalse(f.isCancelled());
    assertEquals(11, f.join());
  }

  @Test
  default void get_withTimeout_onRunningTask_throwsTimeoutExceptionAndTheTaskGoesOn() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held);
    assertThrows(TimeoutException.class, () -> f.get(50, MILLISECONDS));
    assertFalse(f.isDone());
    held.release().fire();
    assertEquals(HeldTask.RELEASED, get(f));
  }
}
