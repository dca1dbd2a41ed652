package dev.unipool.internal;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one timer thread of unipool, shared by every pool, backend and task group: task timeouts, kill
 * deadlines and re-probes (backends reach it as {@code AbstractPool.TIMER}), {@code auto}'s routing
 * decisions, and task-group deadlines.
 *
 * <p>What runs on it only completes futures, signals, sends or hands tasks to executors, and never blocks:
 * one thread serves them all, so a slow action would delay every other.
 */
public final class SharedTimer {
  /** A daemon platform thread named {@code unipool-timer}; a cancelled action leaves its queue at once. */
  public static final ScheduledThreadPoolExecutor TIMER = newTimer();

  private SharedTimer() {}

  private static ScheduledThreadPoolExecutor newTimer() {
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("unipool-timer").factory());
    t.setRemoveOnCancelPolicy(true);
    return t;
  }
}
