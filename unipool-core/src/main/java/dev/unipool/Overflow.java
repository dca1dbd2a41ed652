package dev.unipool;

/**
 * What {@code submit} does when a pool's bounded queue is full (see {@link PoolOptions#queue(int, Overflow)}).
 */
public enum Overflow {
  /**
   * The submitting thread waits until a queued task starts; an interrupt while waiting, or the pool shutting
   * down, rejects the task.
   */
  BLOCK,
  /** The task is rejected at once with a {@link java.util.concurrent.RejectedExecutionException}. */
  REJECT
}
