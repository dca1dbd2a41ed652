package dev.unipool.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The waiting face of a {@link TaskRun}: how a caller waits for a task that may still be running (a brief
 * spin before it parks), and whether completing the task may run user code, which a backend needs to know.
 * Kept apart from the task's own bookkeeping in {@link TaskRun}; the outcome's guards are {@link SealedFuture}'s.
 *
 * @param <T> the result type
 */
abstract class GuardedFuture<T> extends SealedFuture<T> {
  private static final VarHandle WAITERS;

  static {
    try {
      WAITERS = MethodHandles.lookup().findVarHandle(GuardedFuture.class, "waiters", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * The system property that sets how long, in microseconds, a platform thread waiting in {@code get} or
   * {@code join} spins for the outcome before it parks (default 100; 0 turns spinning off).
   */
  static final String SPIN_PROPERTY = "unipool.spinMicros";
  private static final long SPIN_NANOS = Runtime.getRuntime().availableProcessors() > 1
      ? Math.max(0, Long.getLong(SPIN_PROPERTY, 100)) * 1_000 : 0;
  /** Threads spinning at once, at most: a spinner must not take the cores that would answer it. */
  private static final int MAX_SPINNERS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  private static final AtomicInteger SPINNERS = new AtomicInteger();
  /** Per platform thread: how many tasks it has submitted, so a wait can tell its own latest task. */
  private static final ThreadLocal<int[]> SUBMISSIONS = ThreadLocal.withInitial(() -> new int[1]);

  /** The platform thread that created this task, or null (a virtual thread, or spinning off). */
  private final @Nullable Thread submitter;
  /** Its count of submissions at this one (an int, as it only ever meets the same thread's latest count). */
  private final int submission;

  private volatile boolean staged; // a dependent stage exists (see hasDependentStages)
  @SuppressWarnings("unused") // accessed through WAITERS
  private volatile int waiters; // threads inside get/join: their wake-ups are the only dependents that run no user code

  /**
   * Notes the creating thread's submission count, for {@link #spin}.
   *
   * @param completesBeforeReturn true if the task always completes before its submit returns (the inline
   *     backend): nobody can ever wait for it, so its submission is not counted (the count, a thread-local
   *     look-up, took an inline {@code submit} + {@code get} from 20 to 25 ns in JMH, the JDK's being 11)
   */
  GuardedFuture(boolean completesBeforeReturn) {
    Thread t = Thread.currentThread();
    if (SPIN_NANOS > 0 && !completesBeforeReturn && !t.isVirtual()) {
      submitter = t;
      submission = ++SUBMISSIONS.get()[0];
    } else {
      submitter = null;
      submission = 0;
    }
  }

  /**
   * Dependents are plain futures: completing one must not look like completing a task. Every dependent
   * stage ({@code thenApply}, {@code whenComplete}, {@code copy}, ...) is created here, which is how
   * {@link #hasDependentStages()} knows about it.
   */
  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    staged = true;
    return new CompletableFuture<>();
  }

  /**
   * Whether completing this task might run user code. False only if no dependent stage was ever created
   * on it and everything waiting on it is a thread blocked in {@code get} or {@code join}: completing it
   * then only wakes those threads, so a backend may complete it on a thread that must not run callbacks.
   * Stages created elsewhere and attached to this task (e.g. by {@code CompletableFuture.allOf} or
   * {@code other.thenCombine(this, ...)}) show up as extra dependents. A stage attached concurrently with
   * this check may still run on the completing thread; callers use this as a latency shortcut only.
   *
   * @return true if a dependent stage may exist
   */
  public boolean hasDependentStages() {
    return staged || getNumberOfDependents() > (int) WAITERS.getVolatile(this);
  }

  /**
   * Waits up to {@code maxNanos} for the outcome without parking. Why: a worker process answers a
   * trivial task within 30-60 µs, and waking a parked thread costs some 20 µs more when cores idle and
   * several times that when they are busy (sequential {@code submit().get()} on {@code processes(2)}, medians
   * of 5,000: 58-60 µs parked and 37-39 µs with this wait on 2 idle cores, 130 and 32 µs on busy ones);
   * {@code CompletableFuture} parks at once. It yields rather than pauses, so on a busy machine the threads
   * that answer run meanwhile. (Pausing avoided a slower state that idle cores sometimes settle in, 70-85
   * µs, with the worker woken on the spinning caller's CPU; but on busy cores it held the answer back for
   * whole rounds, 140-230 µs.) Only the thread that submitted the task spins,
   * only while it is the last task that thread submitted (a caller gathering a batch of futures would
   * only burn the CPU that answers them), only a few threads at once (half the CPUs), never on a virtual
   * thread (it would hold its carrier) nor on one CPU; a long task costs its caller at most
   * {@code maxNanos} of CPU.
   */
  @SuppressWarnings("ThreadPriorityCheck") // yield: on a busy machine, the threads that answer run meanwhile
  private void spin(long maxNanos) {
    if (maxNanos <= 0 || !isCallersLatest()) {
      return;
    }
    if (SPINNERS.incrementAndGet() <= MAX_SPINNERS) {
      long end = System.nanoTime() + maxNanos;
      while (!isDone() && System.nanoTime() - end < 0) {
        Thread.yield();
      }
    }
    SPINNERS.decrementAndGet();
  }

  /** Whether the calling thread submitted this task and has submitted no counted task since. */
  final boolean isCallersLatest() {
    return submitter == Thread.currentThread() && SUBMISSIONS.get()[0] == submission;
  }

  /**
   * Waits for the outcome: on the calling thread's own latest task, yields first for up to 100 µs (the
   * system property {@value #SPIN_PROPERTY} sets the microseconds), then parks, as
   * {@link CompletableFuture#get()} does.
   */
  @Override
  public T get() throws InterruptedException, ExecutionException {
    if (isDone()) {
      return super.get(); // nothing to wait for: skip the two atomic adds that mark a waiter
    }
    spin(SPIN_NANOS);
    if (isDone()) {
      return super.get();
    }
    WAITERS.getAndAdd(this, 1);
    try {
      return super.get();
    } finally {
      WAITERS.getAndAdd(this, -1);
    }
  }

  /** As {@link #get()}, spinning no longer than {@code timeout}, which counts the spin. */
  @Override
  public T get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (isDone()) {
      return super.get(timeout, unit);
    }
    long nanos = unit.toNanos(timeout);
    long start = System.nanoTime();
    spin(Math.min(SPIN_NANOS, nanos));
    long left = nanos - (System.nanoTime() - start);
    if (isDone()) {
      return super.get(left, TimeUnit.NANOSECONDS);
    }
    WAITERS.getAndAdd(this, 1);
    try {
      return super.get(left, TimeUnit.NANOSECONDS);
    } finally {
      WAITERS.getAndAdd(this, -1);
    }
  }

  /** As {@link #get()}: spins briefly, then parks. */
  @Override
  public T join() {
    if (isDone()) {
      return super.join();
    }
    spin(SPIN_NANOS);
    if (isDone()) {
      return super.join();
    }
    WAITERS.getAndAdd(this, 1);
    try {
      return super.join();
    } finally {
      WAITERS.getAndAdd(this, -1);
    }
  }
}
