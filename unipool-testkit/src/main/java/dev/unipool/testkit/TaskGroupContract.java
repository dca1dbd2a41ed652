package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.PATIENCE;
import static dev.unipool.testkit.ContractSupport.SHORT;
import static dev.unipool.testkit.ContractSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.DeadlineExceededException;
import dev.unipool.TaskFuture;
import dev.unipool.TaskGroup;
import dev.unipool.TaskGroupException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Task groups: structured concurrency, with cancellation that reaches the backend.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface TaskGroupContract extends PoolFixture {
  @Test
  @SuppressWarnings("FutureReturnValueIgnored") // the group owns its subtasks: join() reports their outcome
  default void taskGroup_firstFailure_cancelsRunningSibling_andIsThrown() throws Exception {
    assumeTwoAtOnce();
    HeldTask held = newHeldTask();
    TaskGroupException e;
    TaskFuture<String> sibling;
    try (TaskGroup group = TaskGroup.open(pool())) {
      sibling = group.fork(held);
      held.started().await(PATIENCE);
      group.fork(() -> {
        throw new IllegalStateException("broken part");
      });
      e = assertThrows(TaskGroupException.class, group::join);
    }
    IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
    assertEquals("broken part", cause.getMessage());
    assertTrue(sibling.isCancelled());
    held.interrupted().await(PATIENCE); // the cancel reached the running task as an interrupt
  }

  @Test
  default void taskGroup_allSucceed_joinReturnsAndResultsAreThere() throws Exception {
    List<TaskFuture<Integer>> parts = new ArrayList<>();
    try (TaskGroup group = TaskGroup.open(pool())) {
      for (int i = 0; i < 5; i++) {
        int n = i;
        parts.add(group.fork(() -> n * n));
      }
      group.join();
    }
    assertEquals(List.of(0, 1, 4, 9, 16), parts.stream().map(TaskFuture::resultNow).toList());
  }

  @Test
  @SuppressWarnings("FutureReturnValueIgnored") // the group owns its subtasks: join() reports their outcome
  default void taskGroup_firstSuccess_winsAndCancelsTheRest() throws Exception {
    assumeTwoAtOnce();
    HeldTask held = newHeldTask();
    try (TaskGroup group = TaskGroup.open(pool(), TaskGroup.Policy.FIRST_SUCCESS)) {
      TaskFuture<String> slow = group.fork(held);
      held.started().await(PATIENCE);
      group.fork(() -> "winner");
      group.join();
      assertEquals("winner", group.winner().orElseThrow().resultNow());
      assertTrue(slow.isCancelled());
    }
    held.interrupted().await(PATIENCE);
  }

  @Test
  @SuppressWarnings("FutureReturnValueIgnored") // the group owns its subtasks: join() reports their outcome
  default void taskGroup_firstSuccess_allFail_throwsWithEveryFailure() throws Exception {
    TaskGroupException e;
    try (TaskGroup group = TaskGroup.open(pool(), TaskGroup.Policy.FIRST_SUCCESS)) {
      group.fork(() -> {
        throw new IllegalStateException("one");
      });
      group.fork(() -> {
        throw new IllegalArgumentException("two");
      });
      e = assertThrows(TaskGroupException.class, group::join);
    }
    assertEquals(1, e.getSuppressed().length);
  }

  @Test
  default void taskGroup_collectAll_waitsForEveryOutcome() throws Exception {
    TaskFuture<Integer> ok;
    TaskFuture<Integer> bad;
    try (TaskGroup group = TaskGroup.open(pool(), TaskGroup.Policy.COLLECT_ALL)) {
      bad = group.fork(() -> {
        throw new IllegalStateException("collected");
      });
      ok = group.fork(() -> 7);
      group.join();
    }
    assertEquals(7, ok.resultNow());
    assertEquals("collected", bad.exceptionNow().getMessage());
  }

  @Test
  default void taskGroup_failAfter_cancelsAndThrowsDeadlineExceeded() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    try (TaskGroup group = TaskGroup.open(pool()).failAfter(SHORT)) {
      TaskFuture<String> f = group.fork(held);
      DeadlineExceededException e = assertThrows(DeadlineExceededException.class, group::join);
      assertEquals(SHORT, e.timeout());
      assertTrue(f.isCancelled());
    }
    held.release().fire(); // in case the task never started: nothing may stay held
  }

  @Test
  default void taskGroup_moveOnAfter_returnsWithWhatFinished() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    try (TaskGroup group = TaskGroup.open(pool())) {
      TaskFuture<Integer> quick = group.fork(() -> 1);
      assertEquals(1, get(quick));
      group.moveOnAfter(SHORT); // from now: the quick task is done whatever the machine's load
      TaskFuture<String> slow = group.fork(held);
      group.join();
      assertTrue(slow.isCancelled());
    }
    held.release().fire();
  }

  @Test
  default void taskGroup_close_withoutJoin_cancelsWhatIsStillRunning() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f;
    try (TaskGroup group = TaskGroup.open(pool())) {
      f = group.fork(held);
      held.started().await(PATIENCE);
    }
    assertTrue(f.isCancelled());
    held.interrupted().await(PATIENCE);
  }
}
