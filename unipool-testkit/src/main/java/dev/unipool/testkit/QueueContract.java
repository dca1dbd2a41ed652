package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.WAIT_SECONDS;
import static dev.unipool.testkit.ContractSupport.get;
import static dev.unipool.testkit.ContractSupport.submitUntilBlocked;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Overflow;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import dev.unipool.testkit.ContractSupport.BlockedSubmit;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * A bounded queue ({@code PoolOptions.queue}): {@code Overflow.REJECT} and {@code Overflow.BLOCK}.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface QueueContract extends PoolFixture {
  @Test
  default void queueReject_whenFull_rejectsSubmit() throws Exception {
    Pool p = newPool(options().queue(1, Overflow.REJECT));
    int workers = assumeFillable(p);
    FileSignal release = newSignal();
    List<TaskFuture<String>> holders = occupy(p, workers, release);
    TaskFuture<Integer> waiting = p.submit(() -> 42); // takes the only queue slot
    assertThrows(RejectedExecutionException.class, () -> p.submit(() -> 43));
    assertThrows(RejectedExecutionException.class, () -> p.execute(ContractSupport::doNothing));
    release.fire();
    assertEquals(42, get(waiting));
    for (TaskFuture<String> h : holders) {
      assertEquals(HeldTask.RELEASED, get(h));
    }
    assertEquals(44, get(p.submit(() -> 44)), "a freed slot accepts tasks again");
  }

  @Test
  default void queueBlock_whenFull_blocksTheSubmitterUntilASlotFrees() throws Exception {
    Pool p = newPool(options().queue(1, Overflow.BLOCK));
    int workers = assumeFillable(p);
    FileSignal release = newSignal();
    occupy(p, workers, release);
    TaskFuture<Integer> waiting = p.submit(() -> 42);
    BlockedSubmit blocked = submitUntilBlocked(p);
    assertFalse(blocked.isDone(), "submit returned although the queue is full");
    release.fire();
    assertEquals(42, get(waiting));
    assertEquals(43, get(blocked.get(WAIT_SECONDS, SECONDS)));
  }

  @Test
  default void queueBlock_interruptedSubmitter_isRejected() throws Exception {
    Pool p = newPool(options().queue(1, Overflow.BLOCK));
    int workers = assumeFillable(p);
    FileSignal release = newSignal();
    occupy(p, workers, release);
    TaskFuture<Integer> waiting = p.submit(() -> 42);
    BlockedSubmit blocked = submitUntilBlocked(p);
    blocked.submitter().interrupt();
    ExecutionException e = assertThrows(ExecutionException.class, () -> blocked.get(WAIT_SECONDS, SECONDS));
    assertInstanceOf(RejectedExecutionException.class, e.getCause());
    release.fire();
    assertEquals(42, get(waiting));
    assertEquals(44, get(p.submit(() -> 44)));
  }

  @Test
  default void queueBlock_blockedSubmitter_isRejectedWhenThePoolShutsDown() throws Exception {
    Pool p = newPool(options().queue(1, Overflow.BLOCK));
    int workers = assumeFillable(p);
    FileSignal release = newSignal();
    List<TaskFuture<String>> holders = occupy(p, workers, release);
    TaskFuture<Integer> waiting = p.submit(() -> 42);
    BlockedSubmit blocked = submitUntilBlocked(p);
    p.shutdown();
    // The workers are still held, so no slot frees: the submitter must be rejected because of the shutdown.
    ExecutionException e = assertThrows(ExecutionException.class, () -> blocked.get(WAIT_SECONDS, SECONDS));
    assertInstanceOf(RejectedExecutionException.class, e.getCause());
    release.fire();
    assertEquals(42, get(waiting), "a task accepted before shutdown still runs");
    for (TaskFuture<String> h : holders) {
      assertEquals(HeldTask.RELEASED, get(h));
    }
    assertTrue(p.awaitTermination(WAIT_SECONDS, SECONDS));
  }
}
