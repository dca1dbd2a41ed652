package dev.unipool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Waiting on several futures at once: Python's {@code as_completed} and {@code wait}.
 *
 * <p>Works with any {@link Future}; futures that are also {@link CompletionStage}s (every
 * {@link TaskFuture}) are watched with a callback, others with one virtual thread each.
 */
public final class Futures {
  private Futures() {}

  /**
   * Yields the futures as they complete, like Python's {@code as_completed}: the iterator's
   * {@code next()} blocks until another future is done. Futures already done come first. Each call to
   * {@code iterator()} starts a new, independent pass.
   *
   * <pre>{@code
   * for (TaskFuture<String> f : Futures.asCompleted(futures)) {
   *   System.out.println(f.get());
   * }
   * }</pre>
   *
   * @param futures the futures; duplicates are yielded once per occurrence
   * @param <F> the future type
   * @return the futures in completion order; {@code next()} throws {@link CancellationException} (with the
   *     interrupt status set) if the waiting thread is interrupted
   */
  public static <F extends Future<?>> Iterable<F> asCompleted(Collection<? extends F> futures) {
    List<F> copy = copyOf(futures);
    return () -> new CompletionIterator<>(copy, -1);
  }

  /**
   * Like {@link #asCompleted(Collection)}, but gives up when {@code timeout} has passed since
   * {@code iterator()} was called: {@code next()} then throws {@link DeadlineExceededException}.
   *
   * @param futures the futures
   * @param timeout the overall deadline, not negative
   * @param <F> the future type
   * @return the futures in completion order
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  public static <F extends Future<?>> Iterable<F> asCompleted(
      Collection<? extends F> futures, Duration timeout) {
    List<F> copy = copyOf(futures);
    long nanos = nanos(requireNonNegative(timeout));
    return () -> new CompletionIterator<>(copy, nanos);
  }

  /**
   * Waits until the condition {@code mode} describes holds, like Python's {@code wait}.
   *
   * @param futures the futures
   * @param mode when to return
   * @param <F> the future type
   * @return the futures done and not done at return
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public static <F extends Future<?>> WaitResult<F> await(Collection<? extends F> futures, WaitMode mode)
      throws InterruptedException {
    return await(futures, mode, null);
  }

  /**
   * Waits until the condition {@code mode} describes holds or {@code timeout} passes, whichever is first.
   * Returning on the timeout is not an error: the result says what is still pending.
   *
   * @param futures the futures
   * @param mode when to return
   * @param timeout the most to wait, not negative; {@code null} waits without limit
   * @param <F> the future type
   * @return the futures done and not done at return
   * @throws InterruptedException if the waiting thread is interrupted
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  public static <F extends Future<?>> WaitResult<F> await(
      Collection<? extends F> futures, WaitMode mode, @Nullable Duration timeout) throws InterruptedException {
    List<F> copy = copyOf(futures);
    Objects.requireNonNull(mode, "mode");
    long deadline = timeout == null ? Long.MAX_VALUE : deadlineAfter(nanos(requireNonNegative(timeout)));
    BlockingQueue<F> done = new LinkedBlockingQueue<>();
    copy.forEach(f -> onDone(f, done));
    int seen = 0;
    while (seen < copy.size()) {
      F f;
      if (deadline == Long.MAX_VALUE) {
        f = done.take();
      } else {
        f = done.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (f == null) {
          break;
        }
      }
      seen++;
      if (mode == WaitMode.FIRST_COMPLETED || (mode == WaitMode.FIRST_EXCEPTION && failed(f))) {
        break;
      }
    }
    List<F> doneList = new ArrayList<>();
    List<F> pending = new ArrayList<>();
    for (F f : copy) {
      (f.isDone() ? doneList : pending).add(f);
    }
    return new WaitResult<>(doneList, pending);
  }

  private static boolean failed(Future<?> f) {
    return f.state() != Future.State.SUCCESS;
  }

  private static <F extends Future<?>> List<F> copyOf(Collection<? extends F> futures) {
    Objects.requireNonNull(futures, "futures");
    List<F> copy = new ArrayList<>(futures.size());
    for (F f : futures) {
      copy.add(Objects.requireNonNull(f, "futures must not contain null"));
    }
    return copy;
  }

  /**
   * {@code d} in nanoseconds, saturated: a duration beyond ~292 years does not fit in a long, and
   * {@link Duration#toNanos()} would throw instead of meaning "practically forever".
   */
  static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /**
   * The {@code System.nanoTime()} deadline {@code nanos} (zero or more) from now, or {@link Long#MAX_VALUE}
   * ("no deadline") for a timeout so long that the sum could overflow into the past.
   */
  private static long deadlineAfter(long nanos) {
    return nanos >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : System.nanoTime() + nanos;
  }

  private static Duration requireNonNegative(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
    }
    return timeout;
  }

  /** Puts {@code f} into {@code sink} once it is done. */
  private static <F extends Future<?>> void onDone(F f, BlockingQueue<? super F> sink) {
    if (f.isDone()) {
      sink.add(f);
    } else if (f instanceof CompletionStage<?> stage) {
      stage.whenComplete((v, e) -> sink.add(f));
    } else {
      Thread.ofVirtual().name("unipool-await").start(() -> {
        try {
          f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (ExecutionException | CancellationException e) {
          // the outcome is read from the future by whoever takes it
        }
        sink.add(f);
      });
    }
  }

  private static final class CompletionIterator<F extends Future<?>> implements Iterator<F> {
    private final BlockingQueue<F> done = new LinkedBlockingQueue<>();
    private final long deadline;
    private final long timeoutNanos;
    private int remaining;

    CompletionIterator(List<F> futures, long timeoutNanos) {
      this.remaining = futures.size();
      this.timeoutNanos = timeoutNanos;
      this.deadline = timeoutNanos < 0 ? Long.MAX_VALUE : deadlineAfter(timeoutNanos);
      futures.forEach(f -> onDone(f, done));
    }

    @Override
    public boolean hasNext() {
      return remaining > 0;
    }

    @Override
    public F next() {
      if (remaining == 0) {
        throw new NoSuchElementException();
      }
      try {
        F f;
        if (deadline == Long.MAX_VALUE) {
          f = done.take();
        } else {
          f = done.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          if (f == null) {
            throw new DeadlineExceededException(Duration.ofNanos(timeoutNanos), remaining + " future(s)");
          }
        }
        remaining--;
        return f;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        CancellationException ce = new CancellationException("interrupted while waiting for futures");
        ce.initCause(e);
        throw ce;
      }
    }
  }

  /**
   * Unwraps {@link CompletionException} and {@link ExecutionException} layers to the task's own exception.
   *
   * @param e an exception from {@code join}, {@code get} or a completion callback
   * @return the innermost cause that is not such a wrapper
   */
  public static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
