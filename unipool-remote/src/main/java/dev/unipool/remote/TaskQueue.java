package dev.unipool.remote;

import dev.unipool.spi.TaskRun;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The tasks of a {@link RemotePool} waiting for a worker, oldest first, and the rule that puts lost ones
 * back. Not thread-safe: guarded by the pool's lock.
 */
final class TaskQueue {
  private final ArrayDeque<RemoteTask> tasks = new ArrayDeque<>();

  void add(RemoteTask task) {
    tasks.addLast(task);
  }

  /**
   * The oldest task still to run. Drops finished (cancelled, timed-out) tasks from the head, so that they
   * never keep a shutting-down pool waiting for work that will not come.
   */
  @Nullable RemoteTask peek() {
    RemoteTask head;
    while ((head = tasks.peekFirst()) != null && head.run().isDone()) {
      tasks.pollFirst();
    }
    return head;
  }

  /** Removes the task {@link #peek} returned. */
  void remove() {
    tasks.pollFirst();
  }

  /** Empties the queue; returns the tasks not done yet, oldest first. */
  List<TaskRun<?>> takeAll() {
    List<TaskRun<?>> out = new ArrayList<>(tasks.size());
    for (RemoteTask task : tasks) {
      if (!task.run().isDone()) {
        out.add(task.run());
      }
    }
    tasks.clear();
    return out;
  }

  /** Empties the queue, failing every task in it with {@code failure}. */
  void failAll(RuntimeException failure) {
    List<RemoteTask> queued = new ArrayList<>(tasks);
    tasks.clear();
    for (RemoteTask task : queued) {
      task.run().completeExceptionally(failure);
    }
  }

  /**
   * Judges tasks lost with their worker by {@code rule} (see {@link Loss}): those that may run again go
   * back to the head of the queue in the order given, so they run before later submissions.
   *
   * @return the tasks that must fail, with why
   */
  List<Lost> requeue(List<RemoteTask> lost, Function<RemoteTask, Loss> rule) {
    List<Lost> failed = new ArrayList<>();
    List<RemoteTask> again = new ArrayList<>(lost.size());
    for (RemoteTask task : lost) {
      if (task.run().isDone()) {
        continue;
      }
      Loss loss = rule.apply(task);
      if (loss.free() && ++task.freeResends <= RemotePool.MAX_FREE_RESENDS) {
        again.add(task);
      } else if (loss.retryable() && task.attempts < task.run().retries()) {
        task.attempts++;
        again.add(task);
      } else {
        failed.add(new Lost(task, loss.detail()));
      }
    }
    for (int i = again.size() - 1; i >= 0; i--) {
      tasks.addFirst(again.get(i));
    }
    return failed;
  }
}
