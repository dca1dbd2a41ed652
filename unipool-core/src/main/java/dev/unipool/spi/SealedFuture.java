package dev.unipool.spi;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A task's {@link CompletableFuture} whose outcome only the task decides (with its cancel and its timeout),
 * shared by the two kinds of task future: {@link TaskRun} and {@link DoneTask}.
 *
 * <p>A caller may cast a {@code TaskFuture} to {@code CompletableFuture}. {@code complete} and
 * {@code completeExceptionally} on a {@link TaskRun} go through its claim (the outcome counted, the queue slot
 * freed, the timer cancelled, as for a cancel), and on a {@link DoneTask} do nothing, as it is done; what is
 * here closes the other ways in: {@code obtrude*} would overwrite an outcome without any of that (a slot and a
 * timer leaked, counters wrong), and {@code completeAsync} completes through a JDK internal that bypasses
 * {@code complete()}.
 *
 * @param <T> the result type
 */
abstract class SealedFuture<T> extends CompletableFuture<T> {
  private static final String OBTRUDE = "a task's outcome cannot be overwritten: to stop a task use cancel(true), "
      + "to give dependents another value complete a copy (toCompletableFuture())";

  /**
   * Refused: a task's outcome is decided by the task, or by {@code cancel} and its timeout.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public void obtrudeValue(T value) {
    throw new UnsupportedOperationException(OBTRUDE);
  }

  /**
   * Refused: a task's outcome is decided by the task, or by {@code cancel} and its timeout.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public void obtrudeException(Throwable ex) {
    throw new UnsupportedOperationException(OBTRUDE);
  }

  /**
   * Completes the task with the supplier's value, computed on {@code executor}, through {@link #complete}
   * (so the task's queue slot and timer are released as for any completion).
   */
  @Override
  public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
    Objects.requireNonNull(supplier, "supplier");
    Objects.requireNonNull(executor, "executor");
    executor.execute(() -> {
      try {
        complete(supplier.get());
      } catch (Throwable e) {
        completeExceptionally(e);
      }
    });
    return this;
  }

  /** As {@link #completeAsync(Supplier, Executor)} on the default async executor. */
  @Override
  public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
    return completeAsync(supplier, defaultExecutor());
  }

  /** Returns a new future completed with this task's outcome; completing it does not affect the task. */
  @Override
  public CompletableFuture<T> toCompletableFuture() {
    return copy();
  }
}
