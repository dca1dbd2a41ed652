package dev.unipool.spi;

import dev.unipool.TaskFuture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code invokeAll} and {@code invokeAny} for every backend, on top of {@link AbstractPool#submit(Callable)}: kept
 * apart from the pool's own state because they only submit and wait.
 *
 * <p>Threading: each method runs on the calling thread and waits there; the pool is shared as usual.
 */
final class Invocations {
  private Invocations() {}

  /*
   * Overview: these follow the JDK's AbstractExecutorService where it matters for a backend that runs a
   * task inside submit (inline), or may block in submit (a full bounded queue): the timed invokeAll
   * checks the deadline before starting each task after the first, and returns the tasks it did not start
   * as cancelled futures; invokeAny starts the next task only while no started one has finished, so it
   * stops once one succeeds. On backends that run tasks elsewhere both start every task at once, as
   * before. Every task is checked for null before any starts.
   */

  static <T> List<Future<T>> invokeAll(AbstractPool pool, Collection<? extends Callable<T>> tasks)
      throws InterruptedException {
    List<Callable<T>> all = nonNull(tasks);
    List<Future<T>> futures = new ArrayList<>(all.size());
    try {
      for (Callable<T> task : all) {
        futures.add(pool.submit(task));
      }
      for (Future<T> f : futures) {
        awaitQuietly(f, Long.MAX_VALUE);
      }
      return futures;
    } catch (InterruptedException | RuntimeException e) {
      futures.forEach(f -> f.cancel(true));
      throw e;
    }
  }

  static <T> List<Future<T>> invokeAll(
      AbstractPool pool, Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException {
    long deadline = deadline(timeout, unit);
    List<Callable<T>> all = nonNull(tasks);
    List<Future<T>> futures = new ArrayList<>(all.size());
    try {
      for (Callable<T> task : all) {
        if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0) {
          futures.add(pool.notStarted(task)); // as the JDK's executors: a task not yet started never is
        } else {
          futures.add(pool.submit(task));
        }
      }
      for (Future<T> f : futures) {
        if (!awaitQuietly(f, deadline)) {
          break;
        }
      }
    } catch (InterruptedException | RuntimeException e) {
      futures.forEach(f -> f.cancel(true));
      throw e;
    }
    futures.forEach(f -> f.cancel(true)); // no-op for the done ones
    return futures;
  }

  static <T> T invokeAny(AbstractPool pool, Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = deadline(timeout, unit);
    List<Callable<T>> all = nonNull(tasks);
    if (all.isEmpty()) {
      throw new IllegalArgumentException("invokeAny needs at least one task");
    }
    LinkedBlockingQueue<TaskFuture<T>> done = new LinkedBlockingQueue<>();
    List<TaskFuture<T>> futures = new ArrayList<>(all.size());
    Iterator<Callable<T>> next = all.iterator();
    try {
      ExecutionException last = null;
      int pending = 0;
      while (true) {
        TaskFuture<T> f = done.poll();
        if (f == null) {
          if (next.hasNext() && (futures.isEmpty() || deadline == Long.MAX_VALUE || deadline - System.nanoTime() > 0)) {
            TaskFuture<T> started = pool.submit(next.next());
            futures.add(started);
            pending++;
            started.whenComplete((v, e) -> done.add(started));
            continue;
          }
          if (pending == 0 && next.hasNext()) {
            throw new TimeoutException("no task of invokeAny succeeded within " + timeout + " " + unit
                + " (" + futures.size() + " of " + all.size() + " started; each of those failed)");
          }
          if (pending == 0) {
            break; // every task failed
          }
          f = deadline == Long.MAX_VALUE ? done.take() : done.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          if (f == null) {
            throw new TimeoutException("no task of invokeAny succeeded within " + timeout + " " + unit
                + " (" + futures.size() + " of " + all.size() + " started)");
          }
        }
        pending--;
        try {
          return f.get();
        } catch (ExecutionException e) {
          last = e;
        } catch (CancellationException e) {
          last = new ExecutionException(e);
        }
      }
      throw Objects.requireNonNull(last);
    } finally {
      futures.forEach(f -> f.cancel(true));
    }
  }

  /** A copy of {@code tasks}, checked for nulls before any task is submitted. */
  private static <T> List<Callable<T>> nonNull(Collection<? extends Callable<T>> tasks) {
    List<Callable<T>> copy = new ArrayList<>(tasks.size());
    for (Callable<T> task : tasks) {
      copy.add(Objects.requireNonNull(task, "tasks must not contain null"));
    }
    return copy;
  }

  /**
   * The deadline {@code timeout} from now, or {@link Long#MAX_VALUE} for "no limit". Like the JDK's
   * executors, a zero or negative timeout means "do not wait".
   */
  private static long deadline(long timeout, TimeUnit unit) {
    Objects.requireNonNull(unit, "unit");
    long nanos = Math.max(0, unit.toNanos(timeout));
    return nanos >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : System.nanoTime() + nanos;
  }

  /** Waits for {@code f} until {@code deadline}; returns false on timeout. Outcome exceptions are ignored. */
  private static boolean awaitQuietly(Future<?> f, long deadline) throws InterruptedException {
    try {
      if (deadline == Long.MAX_VALUE) {
        f.get();
      } else {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException | CancellationException e) {
      // the caller reads outcomes from the futures
    } catch (TimeoutException e) {
      return false;
    }
    return true;
  }
}
