package dev.unipool.spi;

import dev.unipool.TaskFuture;
import dev.unipool.TaskTimings;
import dev.unipool.WorkerInfo;
import java.util.Optional;

/**
 * The future of a plain task that ran to its end inside {@code submit} (see
 * {@link TaskRun#runInSubmit}): already done when the caller first sees it, so it needs none of
 * {@link TaskRun}'s hand-offs against a racing cancel, timeout or waiter, and holds only its outcome and the
 * thread that ran it (24 bytes, where a {@code TaskRun} takes 64 and the JDK's {@code FutureTask} 32).
 * {@code cancel}, {@code complete} and {@code completeExceptionally} return false, as on any done future;
 * {@code obtrude*} is refused as on every task's future.
 *
 * @param <T> the result type
 */
final class DoneTask<T> extends SealedFuture<T> implements TaskFuture<T> {
  private final Thread ranOn;

  /** Called by {@link TaskRun#runInSubmit}, which completes it before anyone else can see it. */
  DoneTask(Thread ranOn) {
    this.ranOn = ranOn;
  }

  @Override
  public Optional<WorkerInfo> worker() {
    return Optional.of(TaskRun.workerInfo(ranOn));
  }

  /** None are recorded: a pool that records timings runs its tasks as {@link TaskRun}s. */
  @Override
  public TaskTimings timings() {
    return TaskTimings.NONE;
  }

  @Override
  public String toString() {
    return "TaskFuture[ran on " + TaskRun.workerInfo(ranOn).name() + ", " + state() + "]";
  }
}
