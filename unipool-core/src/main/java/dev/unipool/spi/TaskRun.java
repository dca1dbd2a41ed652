package dev.unipool.spi;

import dev.unipool.Hint;
import dev.unipool.TaskFuture;
import dev.unipool.TaskTimeoutException;
import dev.unipool.TaskTimings;
import dev.unipool.Worker;
import dev.unipool.WorkerInfo;
import dev.unipool.internal.jfr.Jfr;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One submitted task and its future: what backends receive from {@link AbstractPool#dispatch}.
 *
 * <p>A backend calls {@link #start(WorkerInfo)} when the task begins (which returns false if it was
 * cancelled meanwhile, in which case the backend drops it), then completes it with
 * {@link #complete(Object)} or {@link #completeExceptionally(Throwable)}. In-process backends simply call
 * {@link #run()}, which does all three on the current thread.
 *
 * <p>Overview: the future is a {@link CompletableFuture} so that every {@code CompletionStage} method and
 * {@code get}/{@code join} come with the JDK's well-tested waiting machinery. What it adds is the
 * bookkeeping around it: timings, who ran it, the timeout timer, the queue permit and the running thread,
 * so that {@code cancel(true)} and timeouts can interrupt it without hitting the next task that thread
 * runs (the same hand-off {@link java.util.concurrent.FutureTask} does).
 *
 * @param <T> the result type
 */
public final class TaskRun<T> extends GuardedFuture<T> implements TaskFuture<T>, Runnable {
  private static final VarHandle RUNNER;
  private static final VarHandle PERMIT;
  private static final VarHandle PHASE;
  private static final VarHandle TIMES;
  private static final VarHandle WORKER;
  private static final VarHandle EXTRAS;
  /** {@link #phase} bits: started (counted as such), claimed (its outcome counted). */
  private static final int STARTED = 1;
  private static final int CLAIMED = 2;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      RUNNER = l.findVarHandle(TaskRun.class, "runner", Object.class);
      PERMIT = l.findVarHandle(TaskRun.class, "permit", boolean.class);
      PHASE = l.findVarHandle(TaskRun.class, "phase", int.class);
      TIMES = MethodHandles.arrayElementVarHandle(long[].class);
      WORKER = l.findVarHandle(TaskRun.class, "worker", Object.class);
      EXTRAS = l.findVarHandle(TaskRun.class, "extras", Extras.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final AbstractPool pool;
  private final Callable<T> task;
  private final Settings settings;
  // Hot-path fields are written with release stores, not volatile writes: each full fence costs more than a
  // tiny task's own work, and completing the future (a CAS) publishes them to anyone who sees it done.
  private @Nullable Object worker; // WorkerInfo, or the local Thread (WorkerInfo built lazily)
  private volatile @Nullable Object runner; // the local thread running the task: RunningTask's hand-off
  @SuppressWarnings("unused") // accessed through PERMIT
  private volatile boolean permit;
  // STARTED and CLAIMED in one word, so that a start and a claim racing each other agree on the order: the
  // claim classifies the outcome as "after start" exactly when the start got in first. Two flags let a
  // cancel count "finished before start" while the start still counted itself, and the pool then showed a
  // task running forever (found by the contract's after-test check on auto, cancelling map chunks).
  @SuppressWarnings("unused") // accessed through PHASE
  private volatile int phase;
  private boolean rejected; // set by the submitting thread before it completes the task
  /** What only some tasks need; null for a plain local task. Set once (see {@link #extras()}). */
  @SuppressWarnings("unused") // accessed through EXTRAS
  private volatile @Nullable Extras extras;

  /**
   * The state only some tasks need, in one object that only those tasks allocate: timings, a flight-recorder
   * event, a timeout timer, and what a remote backend records. Why: with all of it inline a task took 88
   * bytes against {@code FutureTask}'s 32 (64 now), and every queued task holds its future: a million
   * submitted at once held 112 MB with their queue nodes (88 MB now). Size alone costs time too: a
   * {@code FutureTask} padded to 88 bytes took 1.3x as long as the plain one to fire and collect a million
   * tasks on a fixed pool of 2; padded to 64 bytes, no longer than the plain one.
   */
  private static final class Extras {
    /** Submitted, started, finished (nanoTime); only when timings are on (known at submit). */
    final long @Nullable [] times;
    /** A {@code dev.unipool.Task} event, only while a flight recording wants it. */
    @Nullable Object event;
    volatile @Nullable ScheduledFuture<?> timer;
    /** Set by a backend that runs the task elsewhere, before the task can start. */
    volatile @Nullable TaskStopper stopper;
    /**
     * Reported by a remote backend before it completes the task, whose completion publishes it (see
     * ranRemotely); plain, like the rest, because completing is a CAS anyway.
     */
    long workNanos = -1;

    Extras(long @Nullable [] times, @Nullable Object event) {
      this.times = times;
      this.event = event;
    }
  }
  /**
   * The per-task settings, shared by every task submitted with the same options (so a plain submit
   * allocates nothing for them).
   *
   * @param timeout the run-time limit, or null
   * @param retries re-runs after a lost worker
   * @param hint the kind-of-work hint, or null
   * @param kind the explicit measurement key, or null
   * @param timed whether timings are recorded
   */
  record Settings(@Nullable Duration timeout, int retries, @Nullable Hint hint, @Nullable String kind, boolean timed) {}

  TaskRun(AbstractPool pool, Callable<T> task, Settings settings, boolean permit) {
    super(pool.runsTasksInSubmit);
    this.settings = settings;
    Object e = Jfr.beginTask();
    if (settings.timed() || e != null) { // a plain store: dispatch publishes the task
      EXTRAS.set(this, new Extras(new long[] {System.nanoTime(), 0, 0}, e));
    }
    this.pool = pool;
    this.task = task;
    if (permit) { // a plain store: dispatch publishes the task; a volatile one fenced every submit
      PERMIT.set(this, true);
    }
    if (!pool.runsTasksInSubmit) {
      pool.counters.submitted();
    }
  }

  /**
   * The hint the task was submitted with.
   *
   * @return the hint, or null
   */
  public @Nullable Hint hint() {
    return settings.hint();
  }

  /**
   * The explicit measurement key the task was submitted with.
   *
   * @return the key, or null
   */
  public @Nullable String kind() {
    return settings.kind();
  }

  /**
   * The task as submitted.
   *
   * @return the callable
   */
  public Callable<T> task() {
    return task;
  }

  /**
   * The run-time limit in force for this task.
   *
   * @return the timeout, or null for none
   */
  public @Nullable Duration timeout() {
    return settings.timeout();
  }

  /**
   * How many times this task may be re-run after losing its worker.
   *
   * @return 0 or more
   */
  public int retries() {
    return settings.retries();
  }

  /**
   * Marks the task started on {@code worker}: records the time, releases its queue slot and arms its
   * timeout. Idempotent for re-runs (the first start time is kept for timings; the timeout restarts).
   *
   * @param worker who runs it
   * @return false if the task is already done (cancelled); the backend must then not run it
   */
  public boolean start(WorkerInfo worker) {
    return begin(worker, false);
  }

  private boolean begin(Object who, boolean owned) {
    if (isDone()) {
      releasePermit();
      return false;
    }
    WORKER.setRelease(this, who);
    while (true) {
      int p = (int) PHASE.getVolatile(this);
      if ((p & CLAIMED) != 0) { // completed meanwhile (cancelled): the backend drops it
        releasePermit();
        return false;
      }
      if ((p & STARTED) != 0) {
        break; // a re-run
      }
      long[] t = times();
      if (t != null) {
        TIMES.setRelease(t, 1, System.nanoTime());
      }
      // Counted before the flag: whoever counts the finish as "after start" sees the start.
      boolean both = pool.runsTasksInSubmit;
      if (both) {
        pool.countStartInSubmit(); // may reject the task: submit rethrows
      } else {
        pool.counters.started();
      }
      if (owned) { // nothing else can touch the phase yet (see runBeforePublished): no CAS
        PHASE.setRelease(this, p | STARTED);
        break;
      }
      if (PHASE.compareAndSet(this, p, p | STARTED)) {
        break;
      }
      if (both) { // a claim got in first
        pool.counters.unsubmittedAndUnstarted();
      } else {
        pool.counters.unstarted();
      }
      if (t != null) {
        TIMES.setRelease(t, 1, 0L);
      }
    }
    releasePermit();
    Duration t = settings.timeout();
    if (t != null) {
      Extras x = extras();
      ScheduledFuture<?> old = x.timer;
      if (old != null) {
        old.cancel(false);
      }
      // Durations beyond ~292 years do not fit in nanoseconds: such a limit never fires anyway.
      long nanos = t.compareTo(Duration.ofDays(365L * 200)) > 0 ? Long.MAX_VALUE / 2 : t.toNanos();
      ScheduledFuture<?> armed = AbstractPool.TIMER.schedule(this::expire, nanos, TimeUnit.NANOSECONDS);
      x.timer = armed;
      if (isDone()) { // completed while arming: do not keep the timer queued
        armed.cancel(false);
      }
    }
    return true;
  }

  /**
   * Records who ran the task when a backend learns it only afterwards (e.g. a task delegated to another
   * pool). Does not touch timings or the timeout.
   *
   * @param worker who ran it
   */
  public void ranOn(WorkerInfo worker) {
    WORKER.setRelease(this, worker);
  }

  /**
   * Runs the task on the calling thread: start, call, complete. Does nothing if already done. The thread's
   * worker statistics count the task before its future completes, so a thread woken by the result sees it.
   */
  @Override
  public void run() {
    Thread me = Thread.currentThread();
    if (!begin(me, false)) {
      return;
    }
    runner = me;
    try {
      if (!isDone()) {
        callAndComplete(me, false);
      }
    } finally {
      RunningTask.finish(RUNNER, this); // an interrupt meant for this task never reaches the thread's next one
    }
  }

  /**
   * Runs the task on the calling thread from inside {@link AbstractPool#dispatch}, before {@code submit} has
   * handed the future to anyone: for backends that run each task in the thread that submits it. Until the
   * future escapes, only a timeout could complete the task concurrently, so without one this skips the
   * hand-offs {@link #run()} needs against a racing {@code cancel} (a third of an inline task's cost); with
   * one it is {@link #run()}. Must not be called once the future may be visible to another thread.
   *
   * @throws java.util.concurrent.RejectedExecutionException if the pool was shut down since {@code submit}
   *     checked: the task is then not counted and does not run, and {@code submit} rethrows this
   */
  public void runBeforePublished() {
    if (settings.timeout() != null) {
      run();
      return;
    }
    Thread me = Thread.currentThread();
    if (begin(me, true)) {
      callAndComplete(me, true);
    }
  }

  /**
   * Calls the task, counts it on the running thread's worker statistics, then completes the future.
   *
   * @param owned whether no other thread can complete the future meanwhile (see {@link #runBeforePublished})
   */
  private void callAndComplete(Thread me, boolean owned) {
    LocalWorkers.Slot slot = slotOf(pool, me);
    int weight = slot == null ? pool.local.sharedBegan(me, times() != null) : 0;
    long t0 = weight > 0 ? System.nanoTime() : 0;
    T value;
    try {
      value = task.call();
    } catch (Throwable e) {
      ranLocally(pool, slot, weight, t0);
      if (owned) {
        failOwned(e);
      } else {
        completeExceptionally(e);
      }
      return;
    }
    ranLocally(pool, slot, weight, t0);
    if (owned) {
      completeOwned(value);
    } else {
      complete(value);
    }
  }

  /** {@link #complete} for a task no other thread can race (see {@link #runBeforePublished}): no claim CAS. */
  private void completeOwned(T value) {
    settleOwned(PoolCounters.COMPLETED);
    if (super.complete(value)) {
      finished();
    }
  }

  /** {@link #completeExceptionally} for a task no other thread can race. */
  private void failOwned(Throwable ex) {
    settleOwned(PoolCounters.outcomeOf(ex));
    if (super.completeExceptionally(ex)) {
      finished();
    }
  }

  private void settleOwned(int outcome) {
    PHASE.setRelease(this, STARTED | CLAIMED);
    markFinished();
    pool.counters.finished(outcome, true);
    releasePermit();
  }

  /**
   * Runs a plain task to its end in the calling thread, for a pool whose tasks all run inside
   * {@code submit}: no per-task options, timeout, retries, timings, queue bound or flight recording, and
   * the caller has counted it submitted and started and seen the pool running. Nothing can wait for,
   * cancel or time out a task that is done before its future exists, so it needs no {@code TaskRun}:
   * it is counted, and meters its thread, as {@link #runBeforePublished} would, and its future is a
   * {@link DoneTask} completed before this returns.
   *
   * @param pool the pool
   * @param task the task
   * @param me the calling thread
   * @param <T> the result type
   * @return the completed future
   */
  static <T> DoneTask<T> runInSubmit(AbstractPool pool, Callable<T> task, Thread me) {
    LocalWorkers.Slot slot = slotOf(pool, me);
    int weight = slot == null ? pool.local.sharedBegan(me, false) : 0;
    long t0 = weight > 0 ? System.nanoTime() : 0;
    DoneTask<T> done = new DoneTask<>(me);
    T value;
    try {
      value = task.call();
    } catch (Throwable e) {
      ranLocally(pool, slot, weight, t0);
      pool.counters.finished(PoolCounters.outcomeOf(e), true);
      done.completeExceptionally(e);
      return done;
    }
    ranLocally(pool, slot, weight, t0);
    pool.counters.finished(PoolCounters.COMPLETED, true);
    done.complete(value);
    return done;
  }

  /** The calling thread's own slot if it is one of the pool's metered threads, else null (a shared thread). */
  private static LocalWorkers.@Nullable Slot slotOf(AbstractPool pool, Thread me) {
    return me instanceof LocalWorkers.MeteredThread t && t.owner == pool.local ? t.slot : null;
  }

  private static void ranLocally(AbstractPool pool, LocalWorkers.@Nullable Slot slot, int weight, long t0) {
    if (slot != null) {
      slot.ran();
    } else {
      pool.local.sharedRan(weight, weight > 0 ? System.nanoTime() - t0 : 0);
    }
  }

  /**
   * Registers how to stop this task where the backend runs it, in place of interrupting a local thread.
   * Call it from {@link AbstractPool#dispatch}, before the task can start.
   *
   * @param how what {@link AbstractPool#cancelRunning} calls for this task
   */
  public void stopWith(TaskStopper how) {
    extras().stopper = how;
  }

  /** Stops the task where it runs: through its {@link TaskStopper}, else by interrupting its local thread. */
  void stopRunning(boolean interrupt) {
    Extras x = extrasIfAny();
    TaskStopper s = x == null ? null : x.stopper;
    if (s != null) {
      s.stop(interrupt);
    } else if (interrupt) {
      interruptRunner();
    }
  }

  /** Interrupts the thread running this task locally, if any; never the thread's next task. */
  void interruptRunner() {
    RunningTask.interrupt(RUNNER, this);
  }

  private void expire() {
    Duration t = settings.timeout();
    if (t != null && completeExceptionally(new TaskTimeoutException(t))) {
      pool.cancelRunning(this, true);
    }
  }

  /** Called when the backend could not accept the task after all: it is not counted as submitted. */
  void reject(Throwable e) {
    rejected = true;
    completeExceptionally(e);
  }

  /**
   * Takes the right to complete this task and counts its outcome, before the future completes: a thread
   * woken by the outcome then sees it in the pool's statistics. Only the first caller wins.
   */
  private boolean claim(int outcome) {
    if (isDone()) {
      return false;
    }
    int p;
    do {
      p = (int) PHASE.getVolatile(this);
      if ((p & CLAIMED) != 0) {
        awaitCompletedByClaimer();
        return false;
      }
    } while (!PHASE.compareAndSet(this, p, p | CLAIMED));
    markFinished();
    if (rejected) {
      if (!pool.runsTasksInSubmit) { // else it was never counted: rejected tasks never start
        pool.counters.unsubmitted();
      }
    } else {
      boolean started = (p & STARTED) != 0;
      if (!started && pool.runsTasksInSubmit) {
        pool.counters.submitted(); // a task that ends unstarted (invokeAll past its deadline) is counted here
      }
      pool.counters.finished(outcome, started);
    }
    // Before the future completes, like the counters: whoever sees the task done sees its slot free (Lincheck
    // found a cancelled task still holding its slot, released only after the completion).
    releasePermit();
    return true;
  }

  @Override
  public boolean complete(T value) {
    if (!claim(PoolCounters.COMPLETED)) {
      return false;
    }
    if (super.complete(value)) {
      finished();
      return true;
    }
    return false;
  }

  @Override
  public boolean completeExceptionally(Throwable ex) {
    if (!claim(PoolCounters.outcomeOf(ex))) {
      return false;
    }
    if (super.completeExceptionally(ex)) {
      finished();
      return true;
    }
    return false;
  }

  /**
   * Cancels the task. If it has not started it never will; if it is running and
   * {@code mayInterruptIfRunning} is true, the backend interrupts it (and the worker-process backend kills
   * the worker after a grace period if it does not stop).
   */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (!claim(PoolCounters.CANCELLED)) {
      return false;
    }
    if (super.cancel(mayInterruptIfRunning)) {
      finished();
      if (started()) {
        pool.cancelRunning(this, mayInterruptIfRunning);
      }
      return true;
    }
    return false;
  }

  /**
   * Another thread won the claim and is completing the future (a few instructions away). Waits for it:
   * once {@code cancel} or {@code complete} returns, even false, the future must read as done, as
   * {@link java.util.concurrent.Future#cancel} promises; a task group checked {@code isCancelled()} right
   * after cancelling and saw false.
   */
  @SuppressWarnings("ThreadPriorityCheck") // yield, not park: the claimer is a few instructions from done
  private void awaitCompletedByClaimer() {
    for (int spins = 0; !isDone(); spins++) {
      if (spins < 128) {
        Thread.onSpinWait();
      } else {
        Thread.yield(); // the claimer was descheduled between its claim and the completion
      }
    }
  }

  private void markFinished() {
    long[] t = times();
    if (t != null) {
      TIMES.setRelease(t, 2, System.nanoTime());
    }
  }

  private void finished() {
    Extras x = extrasIfAny();
    if (x == null) {
      return;
    }
    ScheduledFuture<?> t = x.timer;
    if (t != null) {
      t.cancel(false);
    }
    Object e = x.event;
    if (e != null) {
      x.event = null;
      if (!rejected) {
        TaskTimes.commit(e, this, pool, x.times);
      }
    }
  }

  private @Nullable Extras extrasIfAny() {
    return (Extras) EXTRAS.getAcquire(this);
  }

  /** The extras, made now if the task has none yet; any thread may race to make them, one wins. */
  private Extras extras() {
    Extras x = extrasIfAny();
    if (x == null) {
      Extras made = new Extras(null, null);
      x = (Extras) EXTRAS.compareAndExchange(this, null, made);
      if (x == null) {
        x = made;
      }
    }
    return x;
  }

  private long @Nullable [] times() {
    Extras x = extrasIfAny();
    return x == null ? null : x.times;
  }

  /**
   * For backends that send tasks elsewhere: the sizes of the encoded task and result, for the
   * {@code dev.unipool.Task} flight-recorder event. Does nothing unless a recording wants the event.
   *
   * @param sent bytes of the encoded task
   * @param received bytes of the encoded result
   */
  public void transferred(long sent, long received) {
    Extras x = extrasIfAny();
    Object e = x == null ? null : x.event;
    if (e != null) {
      Jfr.transferred(e, sent, received);
    }
  }

  private void releasePermit() {
    if (permit && (boolean) PERMIT.getAndSet(this, false)) {
      pool.releasePermit();
    }
  }

  /** Whether {@link #start} has been called. */
  boolean started() {
    return ((int) PHASE.getAcquire(this) & STARTED) != 0;
  }

  @Override
  public Optional<WorkerInfo> worker() {
    Object w = WORKER.getAcquire(this);
    if (w instanceof Thread t) {
      WorkerInfo built = workerInfo(t);
      WORKER.setRelease(this, built);
      return Optional.of(built);
    }
    return Optional.ofNullable((WorkerInfo) w);
  }

  /** Who a local thread is, as a worker: this process, under the thread's name. */
  static WorkerInfo workerInfo(Thread t) {
    // The thread's current name may have changed, but pid/host are fixed and the name is what it had.
    WorkerInfo info = Worker.current();
    return new WorkerInfo(info.pid(), nameOf(t), nameOf(t), info.host());
  }

  private static String nameOf(Thread t) {
    String n = t.getName();
    return n.isEmpty() ? (t.isVirtual() ? "virtual-" : "thread-") + t.threadId() : n;
  }

  @Override
  public TaskTimings timings() {
    return TaskTimes.timings(times(), isDone());
  }

  /**
   * The time between start and finish in nanoseconds, or -1 if not both happened.
   *
   * @return the run time in nanoseconds
   */
  public long runNanos() {
    return TaskTimes.runNanos(times());
  }

  /**
   * For backends whose tasks run elsewhere: how long the task's own work took where it ran (decoding,
   * running, encoding its result). Unlike {@link #runNanos}, which a remote backend can only measure from
   * sending to answer, it leaves out the wait behind other tasks sent ahead to the same worker and the
   * trip there and back: a map sizing its chunks from the round trip would shrink them for ever as more
   * of them queue. Call before completing the task (completion publishes it); negative values are ignored.
   *
   * @param nanos the work time measured by the worker
   */
  public void ranRemotely(long nanos) {
    if (nanos >= 0) {
      extras().workNanos = nanos;
    }
  }

  /**
   * The task's own work time: what the backend reported through {@link #ranRemotely}, else
   * {@link #runNanos}. Read it after the task completed.
   *
   * @return nanoseconds, or -1 if unknown
   */
  public long workNanos() {
    Extras x = extrasIfAny();
    long w = x == null ? -1 : x.workNanos;
    return w >= 0 ? w : runNanos();
  }

  @Override
  public String toString() {
    return "TaskRun[" + task + ", " + state() + "]";
  }
}
