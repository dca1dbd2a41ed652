package dev.unipool.hazelcast.internal;

import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * Interrupts a {@link RunTask} on the member it was sent to, or makes it skip if it has not started.
 * Sent through the separate {@code unipool-control} executor: the task executor may be full of the very
 * tasks being cancelled, and a cancel queued behind them would never run.
 *
 * @param key the key of the task to cancel
 */
record CancelTask(String key) implements Callable<Boolean>, Serializable {
  @Serial private static final long serialVersionUID = 1L;

  @Override
  public Boolean call() {
    return MemberSide.cancel(key);
  }
}
