package dev.unipool;

import dev.unipool.internal.SharedTimer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Structured concurrency on any {@link Pool}: trio's nursery, asyncio's {@code TaskGroup}, shaped like the
 * JDK's {@code StructuredTaskScope}. Tasks forked in a group do not outlive it: {@link #join()} waits for
 * them as the {@link Policy} says, and {@link #close()} cancels whatever is still running.
 *
 * <pre>{@code
 * try (TaskGroup group = TaskGroup.open(pool).failAfter(Duration.ofSeconds(5))) {
 *   TaskFuture<String> user = group.fork(() -> fetchUser(id));
 *   TaskFuture<List<Order>> orders = group.fork(() -> fetchOrders(id));
 *   group.join();                       // the first failure cancels the other task and is thrown
 *   render(user.resultNow(), orders.resultNow());
 * }
 * }</pre>
 *
 * <p>Cancellation is real on every backend: cancelling interrupts a running task, and on the worker-process
 * backend a task that ignores the interrupt has its worker killed after the grace period. On in-process
 * backends a task that ignores interrupts keeps its thread busy after the group has moved on (Java cannot
 * stop a thread); its future is cancelled all the same.
 *
 * <p>Groups nest: a group opened while another is open in the same thread is its child; a deadline of the
 * parent bounds the child, and when the parent's deadline passes the child's tasks are cancelled and its
 * {@link #join()} throws {@link DeadlineExceededException}.
 *
 * <p>Thread safety: {@link #fork} may be called from any thread while the group is open; {@link #join()}
 * and {@link #close()} belong to the thread that opened it.
 */
public final class TaskGroup implements AutoCloseable {

  /** How {@link #join()} decides the group is done. */
  public enum Policy {
    /** Every task must succeed: the first failure cancels the others and {@code join} throws it. */
    ALL_SUCCESSFUL,
    /** The first task to succeed wins ({@link #winner()}); the others are cancelled. */
    FIRST_SUCCESS,
    /** Wait for every task, whatever its outcome; nothing is cancelled. Inspect the futures afterwards. */
    COLLECT_ALL
  }

  private static final ThreadLocal<@Nullable TaskGroup> CURRENT = new ThreadLocal<>();
  private static final TaskFuture<?> WAKE = new WakeUp();

  private final Pool pool;
  private final Policy policy;
  private final @Nullable TaskGroup parent;
  private final Thread owner;
  private final List<TaskFuture<?>> forks = new ArrayList<>(); // guarded by this
  private final List<TaskGroup> children = new ArrayList<>(); // guarded by this
  private final LinkedBlockingQueue<TaskFuture<?>> completions = new LinkedBlockingQueue<>();
  private @Nullable Duration deadlineLength; // guarded by this
  private boolean failOnDeadline = true; // guarded by this
  private @Nullable ScheduledFuture<?> timer; // guarded by this
  private volatile boolean expired;
  private volatile boolean expiredByAncestor;
  private volatile boolean joined;
  private volatile boolean closed;
  private volatile @Nullable TaskFuture<?> winner;

  private TaskGroup(Pool pool, Policy policy) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.owner = Thread.currentThread();
    this.parent = CURRENT.get();
    if (parent != null) {
      parent.adopt(this);
    }
    CURRENT.set(this);
  }

  /**
   * Opens a group where every task must succeed ({@link Policy#ALL_SUCCESSFUL}).
   *
   * @param pool where the tasks run
   * @return the open group; use it in try-with-resources
   */
  public static TaskGroup open(Pool pool) {
    return new TaskGroup(pool, Policy.ALL_SUCCESSFUL);
  }

  /**
   * Opens a group with the given policy.
   *
   * @param pool where the tasks run
   * @param policy when {@link #join()} returns
   * @return the open group; use it in try-with-resources
   */
  public static TaskGroup open(Pool pool, Policy policy) {
    return new TaskGroup(pool, policy);
  }

  /**
   * Gives the group a deadline (trio's {@code fail_after}): when it passes, every task still running is
   * cancelled and {@link #join()} throws {@link DeadlineExceededException}. Measured from this call;
   * an enclosing group's earlier deadline still applies.
   *
   * @param timeout a positive duration
   * @return this group
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public TaskGroup failAfter(Duration timeout) {
    return deadline(timeout, true);
  }

  /**
   * Gives the group a deadline (trio's {@code move_on_after}): when it passes, every task still running is
   * cancelled and {@link #join()} returns normally; the futures say what finished.
   *
   * @param timeout a positive duration
   * @return this group
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public TaskGroup moveOnAfter(Duration timeout) {
    return deadline(timeout, false);
  }

  private synchronized TaskGroup deadline(Duration timeout, boolean fail) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, got " + timeout);
    }
    requireOpen();
    ScheduledFuture<?> old = timer;
    if (old != null) {
      old.cancel(false);
    }
    deadlineLength = timeout;
    failOnDeadline = fail;
    timer = SharedTimer.TIMER.schedule(() -> expire(false), Futures.nanos(timeout), TimeUnit.NANOSECONDS);
    return this;
  }

  /**
   * Starts a task in the group. A lambda written at the call is serializable, so it can run on any
   * backend.
   *
   * @param task the task
   * @param <T> its result type
   * @return its future
   * @throws IllegalStateException if the group was joined or closed
   */
  public <T> TaskFuture<T> fork(SerializableCallable<T> task) {
    return fork((Callable<T>) task, TaskOptions.none());
  }

  /**
   * Starts a task in the group with per-task options.
   *
   * @param task the task
   * @param options per-task settings
   * @param <T> its result type
   * @return its future
   * @throws IllegalStateException if the group was joined or closed
   */
  public <T> TaskFuture<T> fork(Callable<T> task, TaskOptions options) {
    Objects.requireNonNull(task, "task");
    TaskFuture<T> f;
    synchronized (this) {
      requireOpen();
      if (joined) {
        throw new IllegalStateException("cannot fork after join()");
      }
      f = pool.submit(task, options);
      forks.add(f);
    }
    if (expired) {
      f.cancel(true);
    }
    f.whenComplete((v, e) -> {
      completions.add(f);
      if (e != null && policy == Policy.ALL_SUCCESSFUL && !(e instanceof CancellationException)) {
        cancelAll(); // fail fast, even before join() looks
      } else if (e == null && policy == Policy.FIRST_SUCCESS) {
        cancelAll();
      }
    });
    return f;
  }

  /**
   * Waits for the tasks as the policy says.
   *
   * @throws TaskGroupException if a task failed ({@link Policy#ALL_SUCCESSFUL}) or all failed
   *     ({@link Policy#FIRST_SUCCESS})
   * @throws DeadlineExceededException if a {@link #failAfter} deadline (or an enclosing group's deadline) passed
   * @throws InterruptedException if the waiting thread is interrupted; the group's tasks are cancelled
   * @throws IllegalStateException if called twice, after close, or from another thread than the owner
   */
  public void join() throws InterruptedException {
    requireOwner();
    List<TaskFuture<?>> all;
    synchronized (this) {
      requireOpen();
      if (joined) {
        throw new IllegalStateException("join() was already called");
      }
      joined = true;
      all = List.copyOf(forks);
    }
    int left = all.size();
    Throwable first = null;
    List<Throwable> others = new ArrayList<>();
    try {
      while (left > 0 && !expired) {
        TaskFuture<?> f = completions.take();
        if (f == WAKE) {
          continue;
        }
        left--;
        Throwable failure = failureOf(f);
        if (failure == null) {
          if (policy == Policy.FIRST_SUCCESS && winner == null) {
            winner = f;
            cancelAll();
            return;
          }
        } else if (!(failure instanceof CancellationException) || policy == Policy.FIRST_SUCCESS) {
          if (first == null) {
            first = failure;
          } else {
            others.add(failure);
          }
          if (policy == Policy.ALL_SUCCESSFUL) {
            cancelAll();
          }
        }
      }
    } catch (InterruptedException e) {
      cancelAll();
      throw e;
    }
    if (expired) {
      cancelAll();
      boolean fail;
      Duration length;
      synchronized (this) {
        fail = failOnDeadline;
        length = deadlineLength;
      }
      if (fail || expiredByAncestor) {
        throw new DeadlineExceededException(length == null ? Duration.ZERO : length,
            expiredByAncestor ? "an enclosing task group" : "task group");
      }
      return;
    }
    if (first != null && (policy == Policy.ALL_SUCCESSFUL || policy == Policy.FIRST_SUCCESS)) {
      TaskGroupException e = new TaskGroupException(
          policy == Policy.ALL_SUCCESSFUL ? "a task in the group failed: " + first : "every task in the group failed",
          first);
      others.forEach(e::addSuppressed);
      throw e;
    }
  }

  private static @Nullable Throwable failureOf(TaskFuture<?> f) {
    return switch (f.state()) {
      case SUCCESS -> null;
      case FAILED -> f.exceptionNow();
      case CANCELLED -> new CancellationException("cancelled");
      case RUNNING -> throw new IllegalStateException("not done: " + f);
    };
  }

  /**
   * The task that won under {@link Policy#FIRST_SUCCESS}, after {@link #join()}.
   *
   * @return the winning task's future, or empty if none succeeded (or another policy is used)
   */
  public java.util.Optional<TaskFuture<?>> winner() {
    return java.util.Optional.ofNullable(winner);
  }

  /**
   * The futures of the tasks forked so far, in fork order.
   *
   * @return a snapshot
   */
  public synchronized List<TaskFuture<?>> forks() {
    return List.copyOf(forks);
  }

  /**
   * Cancels every task still running in this group and its children, interrupting them.
   */
  public void cancelAll() {
    List<TaskFuture<?>> all;
    List<TaskGroup> kids;
    synchronized (this) {
      all = List.copyOf(forks);
      kids = List.copyOf(children);
    }
    for (TaskFuture<?> f : all) {
      f.cancel(true);
    }
    for (TaskGroup c : kids) {
      c.expire(true);
    }
  }

  private void expire(boolean byAncestor) {
    if (closed) {
      return;
    }
    if (byAncestor) {
      expiredByAncestor = true;
    }
    expired = true;
    cancelAll();
    completions.add(WAKE);
  }

  private synchronized void adopt(TaskGroup child) {
    children.add(child);
    // The child cannot outlast us: our expiry reaches it through cancelAll.
    if (expired) {
      child.expired = true;
      child.expiredByAncestor = true;
    }
  }

  private synchronized void forget(TaskGroup child) {
    children.remove(child);
  }

  /**
   * Closes the group: cancels every task that is still running (if {@link #join()} was not called or did
   * not wait for them), and unregisters it from its parent.
   *
   * @throws IllegalStateException if called from another thread than the one that opened the group
   */
  @Override
  public void close() {
    requireOwner();
    if (closed) {
      return;
    }
    cancelAll();
    synchronized (this) {
      closed = true;
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
    }
    if (parent != null) {
      parent.forget(this);
    }
    if (CURRENT.get() == this) {
      if (parent == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(parent);
      }
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("task group is closed");
    }
  }

  private void requireOwner() {
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("only the thread that opened the task group may join or close it");
    }
  }

  /** A marker put on the completion queue to wake {@code join} when the deadline passes. */
  private static final class WakeUp extends java.util.concurrent.CompletableFuture<Object>
      implements TaskFuture<Object> {
    @Override
    public java.util.Optional<WorkerInfo> worker() {
      return java.util.Optional.empty();
    }

    @Override
    public TaskTimings timings() {
      return new TaskTimings(java.time.Instant.EPOCH, null, null);
    }
  }
}
