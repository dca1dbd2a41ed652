package dev.unipool.spi;

/**
 * How a backend stops a task of its own that runs elsewhere than on a local thread (another JVM, another
 * pool): registered with {@link TaskRun#stopWith} from {@link AbstractPool#dispatch}, called when the task
 * is cancelled or times out after it started. The backend keeps its per-task state typed in the stopper
 * it registers, instead of the pool storing it untyped and handing it back.
 */
@FunctionalInterface
public interface TaskStopper {
  /**
   * Asks the task to stop where it runs. Called on the thread that cancelled the task or timed it out (the
   * shared timer thread), after the task's future completed; must not block.
   *
   * @param interrupt whether the canceller asked to interrupt a running task
   */
  void stop(boolean interrupt);
}
