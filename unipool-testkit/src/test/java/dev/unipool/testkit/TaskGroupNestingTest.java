package dev.unipool.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.DeadlineExceededException;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import dev.unipool.TaskGroup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Groups nest; a parent's deadline bounds its children; misuse is refused. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskGroupNestingTest {
  @TempDir Path tmp;

  @Test
  void parentDeadline_cancelsChildTasks_andChildJoinThrows() throws Exception {
    HeldTask held = HeldTask.in(tmp);
    try (Pool pool = Pool.of(Backend.threads(4));
        TaskGroup parent = TaskGroup.open(pool).failAfter(Duration.ofMillis(300))) {
      TaskFuture<String> inChild;
      try (TaskGroup child = TaskGroup.open(pool)) {
        inChild = child.fork(held);
        assertThrows(DeadlineExceededException.class, child::join);
      }
      assertTrue(inChild.isCancelled());
      held.interrupted().await(Duration.ofSeconds(30));
      assertThrows(DeadlineExceededException.class, parent::join);
    }
  }

  @Test
  void childGroup_closesBeforeParent_andParentStillWorks() throws Exception {
    try (Pool pool = Pool.of(Backend.threads(2)); TaskGroup parent = TaskGroup.open(pool)) {
      TaskFuture<Integer> a = parent.fork(() -> 1);
      try (TaskGroup child = TaskGroup.open(pool)) {
        TaskFuture<Integer> inChild = child.fork(() -> 2);
        child.join();
        assertTrue(inChild.resultNow() == 2);
      }
      TaskFuture<Integer> b = parent.fork(() -> 3);
      parent.join();
      assertTrue(a.resultNow() + b.resultNow() == 4);
    }
  }

  @Test
  void misuse_isRefusedClearly() throws Exception {
    try (Pool pool = Pool.of(Backend.threads(2))) {
      TaskGroup group = TaskGroup.open(pool);
      group.join();
      assertThrows(IllegalStateException.class, () -> group.fork(() -> 1));
      assertThrows(IllegalStateException.class, group::join);
      group.close();
      assertThrows(IllegalArgumentException.class, () -> TaskGroup.open(pool).failAfter(Duration.ZERO));
    }
  }
}
