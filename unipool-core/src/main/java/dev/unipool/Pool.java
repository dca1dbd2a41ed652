package dev.unipool;

import dev.unipool.internal.Pools;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;

/**
 * A pool of workers that runs tasks on a chosen {@link Backend}: the one API unipool is about. The same
 * code runs inline, on platform threads, on virtual threads, or on any backend a unipool module adds;
 * only the {@code Backend} value changes.
 *
 * <pre>{@code
 * try (Pool pool = Pool.of(Backend.threads(4))) {
 *   TaskFuture<String> f = pool.submit(() -> "hello from " + Worker.current().name());
 *   System.out.println(f.get() + ", ran on " + f.worker().orElseThrow());
 *   List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));
 * }
 * }</pre>
 *
 * <p>A {@code Pool} is an {@link ExecutorService}: {@code invokeAll}, {@code invokeAny},
 * {@code shutdown}, {@code awaitTermination} and try-with-resources behave as that contract says; as in the
 * JDK's executors, a zero or negative timeout passed to them means "do not wait". A task submitted after
 * {@link #shutdown()} is rejected with {@link RejectedExecutionException}, and so is one whose submitter is
 * still waiting for a slot in a full {@link Overflow#BLOCK} queue when the pool shuts down. {@link #close()}
 * waits for submitted tasks to finish; {@link #shutdownNow()} cancels the tasks that have not started
 * (their futures complete as cancelled, so nothing waits forever) and interrupts the running ones.
 * An unclosed pool on an in-process backend or on worker processes does not keep the JVM alive: its
 * threads are daemon threads and its workers exit with this JVM, so tasks still running when the JVM
 * exits are abandoned; close the pool to wait for them. A {@link Backend#cluster cluster} pool, whose
 * Hazelcast client runs non-daemon threads, keeps the JVM alive until it is closed.
 *
 * <p>Tasks should be {@link java.io.Serializable} when the pool may run them in another process: the
 * {@code submit} and {@code map} overloads that take {@link SerializableCallable},
 * {@link SerializableRunnable} and {@link SerializableFunction} make a lambda written at the call
 * serializable. In-process backends never serialize anything. Code written for a plain
 * {@code ExecutorService} that wraps tasks in objects of its own before handing them over
 * ({@code CompletableFuture.supplyAsync(..., pool)}, {@code ExecutorCompletionService}, {@code invokeAll}
 * of lambdas typed {@code Callable}) works on in-process backends; on backends that serialize tasks it
 * fails at {@code submit} with an {@link IllegalArgumentException} that names the wrapper and the
 * {@code Pool} call to use instead.
 *
 * <p>Pools are thread-safe: any number of threads may submit at once.
 *
 * <p>Memory consistency effects: actions in a thread before it submits a task happen-before the task
 * runs (for in-process backends; other backends copy the task), which happens-before the result is
 * retrieved through its future.
 */
public interface Pool extends ExecutorService {

  /**
   * Creates a pool with default {@link PoolOptions}.
   *
   * @param backend how tasks run
   * @return a running pool; close it when done
   * @throws IllegalStateException if the backend's module is not on the class path (the message names it)
   * @throws PoolStartException if worker processes could not find the classes they need (the message says
   *     how this JVM was launched and how to fix it)
   */
  static Pool of(Backend backend) {
    return Pools.open(backend, PoolOptions.defaults());
  }

  /**
   * Creates a pool.
   *
   * @param backend how tasks run
   * @param options backend-independent settings
   * @return a running pool; close it when done
   * @throws IllegalStateException if the backend's module is not on the class path (the message names it)
   * @throws PoolStartException if worker processes could not find the classes they need (the message says
   *     how this JVM was launched and how to fix it)
   */
  static Pool of(Backend backend, PoolOptions options) {
    return Pools.open(backend, options);
  }

  /**
   * Creates a pool whose backend is named by the environment variable {@code UNIPOOL_BACKEND} (see
   * {@link Backend#parse(String)}), or {@code threads} (one per processor) when it is unset or empty. The
   * switch between backends then needs no rebuild.
   *
   * @return a running pool
   * @throws IllegalArgumentException if {@code UNIPOOL_BACKEND} names no valid backend; the message lists the valid ones
   */
  static Pool fromEnvironment() {
    return Pools.open(Pools.backendFromEnvironment(System.getenv()), PoolOptions.defaults());
  }

  /**
   * The backend this pool was created with.
   *
   * @return the backend
   */
  Backend backend();

  /**
   * The options this pool was created with.
   *
   * @return the options
   */
  PoolOptions options();

  /**
   * Submits a task.
   *
   * @param task the task
   * @param <T> the result type
   * @return the task's future
   * @throws RejectedExecutionException if the pool is shut down, or its bounded queue is full with
   *     {@link Overflow#REJECT} (or the submitter was interrupted while waiting with {@link Overflow#BLOCK})
   * @throws IllegalArgumentException if the backend must serialize the task and cannot (the message names the type)
   */
  @Override
  <T> TaskFuture<T> submit(Callable<T> task);

  /**
   * Submits a serializable task; javac picks this overload for a lambda written at the call, which makes
   * the lambda serializable. Same contract as {@link #submit(Callable)}.
   *
   * @param task the task
   * @param <T> the result type
   * @return the task's future
   */
  default <T> TaskFuture<T> submit(SerializableCallable<T> task) {
    return submit((Callable<T>) task);
  }

  /**
   * Submits a task with per-task options (timeout, retries). Same contract as {@link #submit(Callable)}.
   *
   * @param task the task
   * @param options settings that override the pool's for this task
   * @param <T> the result type
   * @return the task's future
   */
  <T> TaskFuture<T> submit(Callable<T> task, TaskOptions options);

  /**
   * Submits a serializable task with per-task options. Same contract as {@link #submit(Callable)}.
   *
   * @param task the task
   * @param options settings that override the pool's for this task
   * @param <T> the result type
   * @return the task's future
   */
  default <T> TaskFuture<T> submit(SerializableCallable<T> task, TaskOptions options) {
    return submit((Callable<T>) task, options);
  }

  /**
   * Submits an action; its future completes with {@code null}. Same contract as {@link #submit(Callable)}.
   *
   * @param task the action
   * @return the task's future
   */
  @Override
  TaskFuture<?> submit(Runnable task);

  /**
   * Submits a serializable action. Same contract as {@link #submit(Callable)}.
   *
   * @param task the action
   * @return the task's future
   */
  default TaskFuture<?> submit(SerializableRunnable task) {
    return submit((Runnable) task);
  }

  /**
   * Submits an action with per-task options. Same contract as {@link #submit(Callable)}.
   *
   * @param task the action
   * @param options settings that override the pool's for this task
   * @return the task's future
   */
  TaskFuture<?> submit(Runnable task, TaskOptions options);

  /**
   * Submits a serializable action with per-task options. Same contract as {@link #submit(Callable)}.
   *
   * @param task the action
   * @param options settings that override the pool's for this task
   * @return the task's future
   */
  default TaskFuture<?> submit(SerializableRunnable task, TaskOptions options) {
    return submit((Runnable) task, options);
  }

  /**
   * Submits an action whose future completes with {@code result}. Same contract as {@link #submit(Callable)}.
   *
   * @param task the action
   * @param result the value to complete with
   * @param <T> the result type
   * @return the task's future
   */
  @Override
  <T> TaskFuture<T> submit(Runnable task, T result);

  /**
   * Runs an action with no future to report to: a failure goes to the pool's
   * {@link PoolOptions#uncaughtHandler() uncaught handler} (by default logged), never silently lost.
   *
   * @param task the action
   * @throws RejectedExecutionException as for {@link #submit(Callable)}
   */
  @Override
  void execute(Runnable task);

  /**
   * Runs a serializable action; see {@link #execute(Runnable)}.
   *
   * @param task the action
   */
  default void execute(SerializableRunnable task) {
    execute((Runnable) task);
  }

  /**
   * Applies {@code fn} to every item in parallel and returns the results in input order, like Python's
   * {@code Pool.map}. If an item fails, the remaining work is cancelled and the failure is thrown.
   *
   * @param fn the function, serializable so that it can travel to another process
   * @param items the inputs; read once, in the calling thread
   * @param <T> the item type
   * @param <R> the result type
   * @return the results, in input order: an unmodifiable random-access list that may hold nulls and may be
   *     read from any thread. Numbers a worker process sent back compactly are boxed as they are read, so
   *     two reads of one index give equal objects, not necessarily the same one.
   * @throws java.util.concurrent.CompletionException with the item's exception as cause, if one failed
   * @throws java.util.concurrent.CancellationException if the calling thread was interrupted (its
   *     interrupt status is set) or a chunk was cancelled
   * @throws RejectedExecutionException if the pool is shut down
   */
  default <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
    return map(fn, items, MapOptions.auto());
  }

  /**
   * Like {@link #map(SerializableFunction, Iterable)} with explicit chunking.
   *
   * @param fn the function
   * @param items the inputs
   * @param options chunk size and window
   * @param <T> the item type
   * @param <R> the result type
   * @return the results, in input order, as for {@link #map(SerializableFunction, Iterable)}
   */
  <T, R> List<R> map(
      SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options);

  /**
   * Applies a two-argument function to each pair, like Python's {@code starmap}; results in input order.
   *
   * @param fn the function
   * @param pairs the argument pairs, e.g. {@code Map.entry(a, b)} or a map's {@code entrySet()}
   * @param <A> the first argument type
   * @param <B> the second argument type
   * @param <R> the result type
   * @return the results, in input order
   */
  default <A, B, R> List<R> starmap(
      SerializableBiFunction<? super A, ? super B, ? extends R> fn,
      Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs) {
    return starmap(fn, pairs, MapOptions.auto());
  }

  /**
   * Like {@link #starmap(SerializableBiFunction, Iterable)} with explicit chunking.
   *
   * @param fn the function
   * @param pairs the argument pairs
   * @param options chunk size and window
   * @param <A> the first argument type
   * @param <B> the second argument type
   * @param <R> the result type
   * @return the results, in input order
   */
  <A, B, R> List<R> starmap(
      SerializableBiFunction<? super A, ? super B, ? extends R> fn,
      Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs,
      MapOptions options);

  /**
   * Lazily applies {@code fn} to the items, yielding results in input order, like Python's {@code imap}.
   * Items are read only as results are consumed, with a bounded number of chunks in flight
   * ({@link MapOptions}), so an infinite input works in constant memory. Close the stream (or consume it
   * fully) to release the work in flight; closing cancels chunks not yet consumed. The stream is
   * sequential and meant for one consuming thread.
   *
   * @param fn the function
   * @param items the inputs; read in the consuming thread
   * @param <T> the item type
   * @param <R> the result type
   * @return a lazy stream of results; its operations throw
   *     {@link java.util.concurrent.CompletionException} when they reach a failed item
   */
  default <T, R> Stream<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
    return imap(fn, items, MapOptions.auto());
  }

  /**
   * Like {@link #imap(SerializableFunction, Iterable)} with explicit chunking.
   *
   * @param fn the function
   * @param items the inputs
   * @param options chunk size and window
   * @param <T> the item type
   * @param <R> the result type
   * @return a lazy stream of results in input order
   */
  <T, R> Stream<R> imap(
      SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options);

  /**
   * Like {@link #imap(SerializableFunction, Iterable)} over a stream, which is closed with the result.
   *
   * @param fn the function
   * @param items the inputs
   * @param <T> the item type
   * @param <R> the result type
   * @return a lazy stream of results in input order
   */
  default <T, R> Stream<R> imap(SerializableFunction<? super T, ? extends R> fn, Stream<? extends T> items) {
    Iterable<T> source = Pools.iterable(items);
    return this.<T, R>imap(fn, source, MapOptions.auto()).onClose(items::close);
  }

  /**
   * Lazily applies {@code fn} to the items, yielding results as they complete (completion order), like
   * Python's {@code imap_unordered}. Same laziness and bounds as {@link #imap(SerializableFunction, Iterable)}.
   *
   * @param fn the function
   * @param items the inputs
   * @param <T> the item type
   * @param <R> the result type
   * @return a lazy stream of results in completion order
   */
  default <T, R> Stream<R> imapUnordered(
      SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
    return imapUnordered(fn, items, MapOptions.auto());
  }

  /**
   * Like {@link #imapUnordered(SerializableFunction, Iterable)} with explicit chunking.
   *
   * @param fn the function
   * @param items the inputs
   * @param options chunk size and window
   * @param <T> the item type
   * @param <R> the result type
   * @return a lazy stream of results in completion order
   */
  <T, R> Stream<R> imapUnordered(
      SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options);

  /**
   * Like {@link #imapUnordered(SerializableFunction, Iterable)} over a stream, which is closed with the result.
   *
   * @param fn the function
   * @param items the inputs
   * @param <T> the item type
   * @param <R> the result type
   * @return a lazy stream of results in completion order
   */
  default <T, R> Stream<R> imapUnordered(
      SerializableFunction<? super T, ? extends R> fn, Stream<? extends T> items) {
    Iterable<T> source = Pools.iterable(items);
    return this.<T, R>imapUnordered(fn, source, MapOptions.auto()).onClose(items::close);
  }

  /**
   * Shares a large read-only input with every task of this pool, without copying it into each task: the
   * returned handle is small and serializable, and its {@link Shared#segment()} reads the data in place,
   * like joblib's memory mapping or Ray's object store. Same as {@code share(MemorySegment.ofArray(data))}.
   *
   * @param data the bytes; must not be modified afterwards
   * @return a handle to capture in tasks; valid until it is closed or this pool terminates
   * @throws java.util.concurrent.RejectedExecutionException if this pool is shut down
   * @throws UnsupportedOperationException on a backend whose workers cannot map this machine's memory
   *     (a cluster), naming what to do instead
   * @see #share(java.lang.foreign.MemorySegment)
   */
  default Shared share(byte[] data) {
    return share(java.lang.foreign.MemorySegment.ofArray(data));
  }

  /**
   * Shares a large read-only input with every task of this pool (see {@link Shared}). On in-process
   * backends the handle wraps {@code data} itself; on worker processes the data is copied once into a file
   * in {@code /dev/shm} (or {@code java.io.tmpdir}), which each worker maps once, when one of its tasks
   * first reads it. A {@link Backend#cluster cluster} refuses it with {@link UnsupportedOperationException}:
   * its members are other machines. {@link Backend#auto()} shares in-process; its isolated tasks (sent to
   * worker processes) cannot use such a handle.
   *
   * @param data the bytes, any kind of segment; must not be modified afterwards
   * @return a handle to capture in tasks; valid until it is closed or this pool terminates
   * @throws java.util.concurrent.RejectedExecutionException if this pool is shut down
   * @throws UnsupportedOperationException on a backend whose workers cannot map this machine's memory
   */
  Shared share(java.lang.foreign.MemorySegment data);

  /**
   * Says how this pool decides where tasks run: for {@link Backend#auto()}, per kind of task, what was
   * measured and where it went; for other backends, one line naming the backend.
   *
   * @return a human-readable report
   */
  default String explain() {
    return backend() + ": every task runs on this backend";
  }

  /**
   * Waits until every worker of this pool can take a task at once: a pool that must answer its first task
   * quickly calls it right after {@link #of(Backend)}, so its workers' start-up is paid before any task
   * arrives ("prestart"). Worker processes ({@link Backend#processes(int)}) start in parallel and take tasks
   * as each becomes ready, so waiting is never needed for correctness, only for latency. Backends whose
   * workers need no start-up (inline, threads, virtual threads, a cluster's running members, the lazily
   * started worker processes of {@link Backend#auto()}) return {@code true} at once. A worker that is
   * replaced later (crash, recycling) does not count as missing once this returned.
   *
   * <p>Thread-safe; any number of threads may wait. Tasks may be submitted meanwhile.
   *
   * @param timeout the longest wait; zero or negative only checks
   * @return {@code true} once every worker is ready, {@code false} if the timeout passed first
   * @throws InterruptedException if the calling thread is interrupted while waiting
   * @throws IllegalStateException if the pool is shut down, or broken because its workers cannot start (the
   *     cause is attached)
   */
  default boolean awaitReady(Duration timeout) throws InterruptedException {
    if (isShutdown()) {
      throw new IllegalStateException("the pool is shut down: its workers will not become ready");
    }
    return true;
  }

  /**
   * What this pool has done and is doing: task counters (submitted, completed, failed, cancelled, running,
   * queued) and one {@link WorkerStats} per worker (tasks run, busy and idle time, serialization time,
   * restarts, resident memory). The same meaning on every backend; see {@link PoolStats} and
   * {@link WorkerStats}. Works before, during and after shutdown.
   *
   * <p>Cheap: reads counters the pool keeps anyway and never waits for a worker, so it may be called often
   * (a monitoring thread, a JMX client). Thread-safe. A task's outcome is counted before its future
   * completes, so a thread that has seen a task finish sees it counted.
   *
   * @return a snapshot; it does not change afterwards
   */
  PoolStats stats();

  /**
   * Cancels tasks that have not started (their futures complete as cancelled), interrupts running tasks,
   * and rejects new ones. Does not wait; use {@link #awaitTermination}.
   *
   * @return the tasks that never started, already cancelled (running one does nothing)
   */
  @Override
  List<Runnable> shutdownNow();

  /**
   * Shuts down and waits until every submitted task has finished. If the calling thread is interrupted
   * while waiting, calls {@link #shutdownNow()} and keeps waiting, then re-asserts the interrupt.
   */
  @Override
  void close();
}
