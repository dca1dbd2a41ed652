package dev.unipool;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * The pending result of a task submitted to a {@link Pool}: a {@link Future} and a
 * {@link CompletionStage}, plus who ran the task and when.
 *
 * <p>Outcomes are the same on every backend: a task's exception is the cause of the
 * {@link java.util.concurrent.ExecutionException} thrown by {@link #get()} (and of the
 * {@link java.util.concurrent.CompletionException} thrown by {@link #join()}), a task that exceeds its
 * timeout fails with {@link TaskTimeoutException}, and {@link #cancel(boolean) cancel(true)} interrupts a
 * running task (see {@link TaskOptions#timeout} for what each backend can stop).
 *
 * <p>Dependent stages ({@code thenApply} and friends) run on the thread that completes this future unless
 * an executor is given; keep them short. {@link #toCompletableFuture()} returns a new dependent future,
 * so completing it does not complete the task.
 *
 * <p>Memory consistency effects: actions of the task happen-before a successful return from
 * {@code get}/{@code join} or the run of a dependent stage.
 *
 * @param <T> the result type
 */
public interface TaskFuture<T> extends Future<T>, CompletionStage<T> {

  /**
   * Who ran the task: process id, worker name, thread and host.
   *
   * @return the worker, or empty if the task has not started (or was cancelled before it started)
   */
  Optional<WorkerInfo> worker();

  /**
   * When the task was submitted, started and finished, as far as it got.
   *
   * @return the timings so far
   */
  TaskTimings timings();

  /**
   * Waits for the result like {@link #get()}, but throws unchecked exceptions.
   *
   * @return the result
   * @throws java.util.concurrent.CancellationException if the task was cancelled
   * @throws java.util.concurrent.CompletionException with the task's exception as cause, if it failed
   */
  T join();
}
