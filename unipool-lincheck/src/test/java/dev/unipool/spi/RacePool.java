package dev.unipool.spi;

import dev.unipool.Backend;
import dev.unipool.Overflow;
import dev.unipool.PoolOptions;
import java.util.List;

/** A pool whose backend keeps nothing: the checks drive each task's life by hand. One bounded-queue slot. */
final class RacePool extends AbstractPool {
  RacePool() {
    super(Backend.threads(1), PoolOptions.defaults().queue(1, Overflow.REJECT));
  }

  /** A submitted task holding the queue's one slot (every future this pool returns is its TaskRun). */
  TaskRun<Integer> newTask() {
    return (TaskRun<Integer>) submit(() -> 1);
  }

  @Override
  protected void dispatch(TaskRun<?> run) {}

  @Override
  protected void shutdownBackend() {}

  @Override
  protected List<TaskRun<?>> shutdownBackendNow() {
    return List.of();
  }

  @Override
  protected boolean awaitBackend(long nanos) {
    return true;
  }

  @Override
  protected boolean backendTerminated() {
    return true;
  }
}
