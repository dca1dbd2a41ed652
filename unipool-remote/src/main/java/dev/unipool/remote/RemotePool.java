package dev.unipool.remote;

import dev.unipool.Backend;
import dev.unipool.PoolOptions;
import dev.unipool.WorkerInfo;
import dev.unipool.spi.AbstractPool;
import dev.unipool.spi.TaskRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A pool whose tasks run outside this JVM: the part every such backend shares, whatever carries the bytes.
 *
 * <p>Overview: a task is encoded in the submitting thread ({@link #dispatch}) into a {@link RemoteTask} and
 * queued here. {@link #assignLocked} sends queued tasks to the least-loaded worker that has room (its
 * prefetch window or its threads); sends are queued on the worker under {@link #lock}, so each worker
 * gets its tasks in the order of their ids, and flushed after the lock is released. A worker's answer
 * ({@link #answered}) first settles the task (frees its place and refills the worker), then completes
 * the future outside the lock; that completion is counted, and the pool terminates only once none is
 * left, so {@code close()} never returns before a future it settled is done. A worker that is lost hands
 * its tasks to {@link #lostAllLocked}: each is re-queued at the front, for free or against its retries,
 * or failed, by the rule the transport states in a {@link Loss}. Cancel, {@code shutdownNow} and the
 * termination wait are here too; the transport supplies the workers, the wire and when it has stopped.
 *
 * <p>Threading: all dispatch state is guarded by {@link #lock}; methods named {@code ...Locked} must be
 * called with it held, and never block or call the transport's I/O.
 *
 * @param <W> the transport's worker type
 */
public abstract class RemotePool<W extends RemoteWorker> extends AbstractPool {
  /** Bounds re-sends that use up no attempt, so that no task can circle between dying workers forever. */
  protected static final int MAX_FREE_RESENDS = 100;

  /** Guards the queue, the workers and every task's {@link RemoteTask} state. */
  protected final ReentrantLock lock = new ReentrantLock();
  /** Signalled when a worker, a completion or the transport changes what termination waits for. */
  protected final Condition changed = lock.newCondition();
  /** Encodes tasks here and decodes what workers send back. */
  protected final Codec codec;
  /** The workers that may get tasks, in the order ties go to. Guarded by {@link #lock}. */
  protected final List<W> workers = new ArrayList<>();

  private final String name;
  private final boolean inOrder;
  private final int maxInFlight;
  private final TaskQueue queue = new TaskQueue();
  /** Completions settled and not yet done: termination waits for them. */
  private final AtomicInteger pendingCompletions = new AtomicInteger();
  private long nextId;
  private int rotation;
  private int inFlight;
  private volatile boolean stopping;
  private @Nullable RuntimeException broken;

  /**
   * Creates the shared part of a remote pool.
   *
   * @param backend the backend configuration
   * @param options the pool options
   * @param codec encodes tasks and decodes replies
   * @param name what the pool is called in rejections, e.g. {@code process pool}
   * @param inOrder true if a worker runs its tasks one at a time in the order sent, so that only the
   *     oldest it holds may have begun (the others are prefetched); false if it runs them side by side,
   *     and then ties between workers go to each in turn, to spread the load
   * @param maxInFlight the most tasks out at once over all workers, or 0 for no cap beyond theirs
   */
  protected RemotePool(Backend backend, PoolOptions options, Codec codec, String name, boolean inOrder,
      int maxInFlight) {
    super(backend, options);
    this.codec = codec;
    this.name = name;
    this.inOrder = inOrder;
    this.maxInFlight = maxInFlight;
  }

  // ---- what a transport provides ----

  /**
   * Whether the transport has stopped for good after shutdown (workers exited, connections closed).
   *
   * @return true once nothing of it is left; called with the lock held
   */
  protected abstract boolean transportTerminatedLocked();

  /**
   * The pool is stopping and nothing is queued: stop the workers that hold nothing (and, once none
   * holds anything, whatever the transport keeps open). Called with the lock held, possibly many times.
   */
  protected abstract void drainedLocked();

  /**
   * After {@code shutdownNow} interrupted the running tasks: arrange that the pool still terminates if a
   * task ignores its interrupt (kill its worker, or stop waiting for it, after a grace period).
   *
   * @param all every worker the pool had
   */
  protected abstract void afterShutdownNow(List<W> all);

  /**
   * Checks in the submitting thread that {@code task} can run on this transport's workers. The default
   * accepts every task.
   *
   * @param task the task about to be encoded
   * @throws IllegalArgumentException if it cannot, saying why and how to fix it
   */
  protected void checkTask(Callable<?> task) {}

  /**
   * How many tasks a worker must have in flight before a submitting thread leaves the sending of a new one
   * to the worker's next answer, rather than flushing it itself. The default never leaves it.
   *
   * <p>Why a transport would: a submitting thread that flushes every task it hands to a busy worker makes
   * one write, and one wake-up of the worker, per task; those that wait for the worker's answer go out
   * together, and the worker has enough queued meanwhile. The answer is sure to come: the worker holds
   * tasks that were flushed and not yet answered, since every answer flushes what waited.
   *
   * @return the number of tasks in flight above which a submit does not flush
   */
  protected int flushesLaterAbove() {
    return Integer.MAX_VALUE;
  }

  /**
   * Whether workers say when a task begins. Then a task with a timeout goes only to an idle worker and
   * its timeout starts at that word ({@link #started}), not while the worker still loads classes to
   * decode it. The default is false: tasks start when sent.
   *
   * @return true if workers report starts
   */
  protected boolean reportsStart() {
    return false;
  }

  /**
   * How long a task may ignore an interrupt before its worker is killed; null if workers cannot be
   * killed (the task then runs on, and its answer is dropped). The default is null.
   *
   * @return the grace period, or null
   */
  protected @Nullable Duration killGrace() {
    return null;
  }

  /**
   * Marks the pool broken: the transport also stops its workers. Called once, with the lock held. The
   * default does nothing.
   */
  protected void brokenLocked() {}

  // ---- submitting ----

  /** A clock read is noise next to a round trip to another JVM: always record timings. */
  @Override
  protected final boolean recordsTimings() {
    return true;
  }

  /**
   * Encodes the task in the caller's thread (so a task that cannot travel fails at {@code submit}, which
   * rejects it), wraps it in a {@link RemoteTask} that this pool keeps typed from here on, and queues it.
   */
  @Override
  protected final void dispatch(TaskRun<?> run) {
    Callable<?> callable = run.task();
    checkTask(callable);
    long start = System.nanoTime();
    Codec.Encoded payload = codec.encodeTask(callable);
    RemoteTask task = new RemoteTask(payload, System.nanoTime() - start, run);
    run.stopWith(interrupt -> stop(task, interrupt));
    List<W> touched = new ArrayList<>(1);
    lock.lock();
    try {
      RuntimeException b = broken;
      if (b != null) {
        throw new RejectedExecutionException("the " + name + " is broken: " + b.getMessage(), b);
      }
      if (stopping) {
        throw new RejectedExecutionException("the " + name + " is shut down");
      }
      queue.add(task);
      assignLocked(touched);
      int later = flushesLaterAbove();
      for (int i = touched.size() - 1; i >= 0; i--) {
        W w = touched.get(i);
        if (w.inFlight.size() > later) {
          w.unflushed = true; // its next answer flushes (see answered)
          touched.remove(i);
        }
      }
    } finally {
      lock.unlock();
    }
    flush(touched);
  }

  /**
   * Sends queued tasks to workers with room, oldest first, until none has room or nothing is queued.
   *
   * @param touched collects the workers that got a task; pass it to {@link #flush} after unlocking
   */
  protected final void assignLocked(List<W> touched) {
    boolean reportsStart = reportsStart();
    RemoteTask task;
    while ((task = queue.peek()) != null) {
      TaskRun<?> run = task.run();
      if (maxInFlight > 0 && inFlight >= maxInFlight) {
        return;
      }
      boolean reportStart = reportsStart && run.timeout() != null;
      W w = pickLocked(reportStart);
      if (w == null) {
        return;
      }
      queue.remove();
      WorkerInfo info = w.info;
      // A task whose worker reports its start is started then (started()); the others start when sent.
      if (reportStart ? run.isDone() : info == null || !run.start(info)) {
        continue;
      }
      task.id = ++nextId;
      task.worker = w;
      task.killScheduled = false;
      w.inFlight.add(task.id, task);
      inFlight++;
      w.meter.taskSent(task.encodeNanos);
      task.encodeNanos = 0;
      w.queueLocked(task, reportStart);
      if (!touched.contains(w)) {
        touched.add(w);
      }
    }
  }

  /** The accepting worker with the fewest tasks and room in its window; only an idle one if {@code idle}. */
  private @Nullable W pickLocked(boolean idle) {
    int n = workers.size();
    if (n == 0) {
      return null;
    }
    int start = inOrder ? 0 : Math.floorMod(rotation++, n);
    W best = null;
    for (int k = 0; k < n; k++) {
      W w = workers.get((start + k) % n);
      if (w.dead || !w.acceptsLocked()) {
        continue;
      }
      int load = w.inFlight.size();
      if (idle ? load > 0 : load >= w.windowLocked()) {
        continue;
      }
      if (best == null || load < best.inFlight.size()) {
        best = w;
      }
    }
    return best;
  }

  /**
   * Sends what {@link #assignLocked} queued; call it without the lock.
   *
   * @param touched the workers that got tasks
   */
  protected static void flush(List<? extends RemoteWorker> touched) {
    for (RemoteWorker w : touched) {
      w.flush();
    }
  }

  // ---- what workers report ----

  /**
   * A worker began task {@code id}, which asked to report it ({@link #reportsStart}): its timeout starts
   * now. A task cancelled on its way is stopped there.
   *
   * @param w the worker
   * @param id the task's id
   */
  protected final void started(W w, long id) {
    RemoteTask task;
    WorkerInfo info;
    lock.lock();
    try {
      task = w.inFlight.get(id);
      info = w.info;
    } finally {
      lock.unlock();
    }
    if (task != null && info != null && !task.run().start(info)) {
      stop(task, true);
    }
  }

  /**
   * Called with the lock held when {@code w} answered a task, before it is refilled: the transport
   * updates what it learns from answers (task length, recycling). The default does nothing.
   *
   * @param w the worker
   * @param reply its answer
   */
  protected void answeredLocked(W w, Reply reply) {}

  /**
   * Worker {@code w} answered task {@code id}. Settles it (the worker's place is free and refilled at
   * once), then decodes the reply and completes the task's future. Completing runs the user's dependent
   * stages; when the caller must not run them ({@code mayRunCallbacks} false: an I/O thread, which a
   * callback waiting for another result of the same worker would block for ever), the completion moves
   * to {@link #COMPLETIONS}. Either way it is counted until done, and the pool does not terminate before.
   *
   * @param w the worker
   * @param id the task's id
   * @param reply its answer
   * @param mayRunCallbacks whether this thread may run user callbacks
   * @param touched collects workers given new tasks; the caller flushes them
   */
  protected final void answered(W w, long id, Reply reply, boolean mayRunCallbacks, List<W> touched) {
    answered(w, List.of(new Answer(id, reply)), mayRunCallbacks, touched);
  }

  /**
   * One task's answer, in a batch for {@link #answered(RemoteWorker, List, boolean, List)}.
   *
   * @param id the task's id
   * @param reply the worker's answer
   */
  public record Answer(long id, Reply reply) {}

  /**
   * Worker {@code w} answered these tasks, in this order: as {@link #answered(RemoteWorker, long, Reply,
   * boolean, List)} for each, settling them all under one hold of the pool's lock. Why: a transport that
   * reads answers in bursts took the lock once per answer, and the threads reading two workers and the
   * one submitting queued on it (100k trivial tasks at once: about one answer in sixty parked its reader).
   *
   * @param w the worker
   * @param answers its answers, oldest first; not modified
   * @param mayRunCallbacks whether this thread may run user callbacks
   * @param touched collects workers given new tasks; the caller flushes them
   */
  protected final void answered(W w, List<Answer> answers, boolean mayRunCallbacks, List<W> touched) {
    int n = answers.size();
    RemoteTask[] settled = new RemoteTask[n]; // those whose outcome this thread sets, by position
    lock.lock();
    try {
      for (int i = 0; i < n; i++) {
        Answer a = answers.get(i);
        RemoteTask task = w.inFlight.remove(a.id());
        if (task != null) {
          inFlight--;
          w.meter.taskDone(a.reply().status() != Reply.Status.SKIPPED);
        }
        answeredLocked(w, a.reply());
        if (task != null && !task.run().isDone()) { // else cancelled or timed out: its outcome is set
          settled[i] = task;
          pendingCompletions.incrementAndGet();
        }
      }
      assignLocked(touched);
      if (w.unflushed) { // tasks a submit left for this answer to send (see flushesLaterAbove)
        w.unflushed = false;
        if (!touched.contains(w)) {
          touched.add(w);
        }
      }
      idleCheckLocked();
    } finally {
      lock.unlock();
    }
    for (int i = 0; i < n; i++) {
      RemoteTask task = settled[i];
      if (task != null) {
        complete(w, task, answers.get(i).reply(), mayRunCallbacks);
      }
    }
  }

  /** Decodes a settled task's reply and completes its future, here or in {@link #COMPLETIONS}. */
  private void complete(W w, RemoteTask task, Reply reply, boolean mayRunCallbacks) {
    TaskRun<?> run = task.run();
    run.transferred(task.payload().wireLength() + 1, reply.payload().wireLength() + 1);
    run.ranRemotely(reply.runNanos());
    long decodeStart = System.nanoTime();
    Reply.Decoded decoded = reply.decode(codec, w.label());
    if (reply.status() != Reply.Status.SKIPPED) {
      w.meter.decoded(System.nanoTime() - decodeStart);
    }
    // Decoded first, checked after: a stage attached while decoding is then seen.
    if (mayRunCallbacks || !run.hasDependentStages()) {
      complete(run, decoded);
    } else {
      COMPLETIONS.execute(() -> complete(run, decoded));
    }
  }

  @SuppressWarnings({"unchecked", "NullAway"}) // results may be null (Runnable tasks)
  private void complete(TaskRun<?> run, Reply.Decoded decoded) {
    try {
      Throwable failure = decoded.failure();
      if (failure == null) {
        ((TaskRun<Object>) run).complete(decoded.value());
      } else {
        run.completeExceptionally(failure);
      }
    } finally {
      if (pendingCompletions.decrementAndGet() == 0 && stopping) {
        lock.lock();
        try {
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  // ---- lost tasks ----

  /**
   * Takes every task from {@code w}, which is gone for good, and decides each one's fate by {@code rule}: in the
   * order sent, the re-runnable ones go back to the front of the queue (so they run before later
   * submissions), the others are returned to be failed. If the pool is broken, the queue is failed.
   *
   * @param w the lost worker
   * @param rule the transport's judgement of each task
   * @return the tasks to fail, with why; complete them after unlocking
   */
  protected final List<Lost> lostAllLocked(W w, Function<RemoteTask, Loss> rule) {
    w.dead = true;
    return requeueLocked(takeAllLocked(w), rule);
  }

  /**
   * Takes task {@code id} from {@code w}, which lost it alone (its connection failed for this task), and
   * re-queues it or returns it by {@code loss}, as {@link #lostAllLocked} does.
   *
   * @param w the worker
   * @param id the task's id
   * @param loss its fate
   * @return the task to fail, if it must; null if it was re-queued, done, or not held by {@code w}
   */
  protected final @Nullable Lost lostOneLocked(W w, long id, Loss loss) {
    RemoteTask task = w.inFlight.remove(id);
    if (task == null) {
      return null;
    }
    inFlight--;
    w.meter.taskLost();
    List<Lost> failed = requeueLocked(List.of(task), t -> loss);
    return failed.isEmpty() ? null : failed.getFirst();
  }

  private List<Lost> requeueLocked(List<RemoteTask> lost, Function<RemoteTask, Loss> rule) {
    List<Lost> failed = queue.requeue(lost, rule);
    RuntimeException b = broken;
    if (b != null) {
      queue.failAll(b); // no worker will come back: what was re-queued must fail, not wait for ever
    }
    return failed;
  }

  /**
   * Removes every task from {@code w}'s count without deciding their fate (the pool stops waiting for
   * them, or fails them itself).
   *
   * @param w the worker
   * @return its tasks, oldest first
   */
  protected final List<RemoteTask> takeAllLocked(W w) {
    List<RemoteTask> all = w.inFlight.list();
    w.inFlight.clear();
    inFlight -= all.size();
    return all;
  }

  // ---- broken, cancel and shutdown ----

  /**
   * Marks the pool unusable: fails queued tasks with {@code failure}, rejects later submits, and lets
   * the transport stop its workers ({@link #brokenLocked}). Only the first call counts.
   *
   * @param failure why, the cause of later rejections
   */
  protected final void breakLocked(RuntimeException failure) {
    if (broken != null) {
      return;
    }
    broken = failure;
    queue.failAll(failure);
    brokenLocked();
  }

  /** {@return the queued tasks not done yet, oldest first, taken out of the queue for the transport to fail} */
  protected final List<TaskRun<?>> takeQueuedLocked() {
    return queue.takeAll();
  }

  /** {@return whether a task still to run is queued} Finished ones are dropped from the head on the way. */
  protected final boolean hasQueuedLocked() {
    return queue.peek() != null;
  }

  /** Once stopping with nothing queued, lets the transport stop idle workers ({@link #drainedLocked}). */
  protected final void idleCheckLocked() {
    if (stopping && !hasQueuedLocked()) {
      drainedLocked();
    }
  }

  /** {@return whether {@code shutdown} was called} */
  protected final boolean stopping() {
    return stopping;
  }

  /** {@return why the pool is broken, or null if it is not} */
  protected final @Nullable RuntimeException brokenCause() {
    return broken;
  }

  /** {@return the cap on tasks out at once over all workers, or 0 for none} */
  protected final int maxInFlight() {
    return maxInFlight;
  }

  /** {@return the tasks sent and not answered, over all workers} */
  protected final int inFlightLocked() {
    return inFlight;
  }

  /**
   * Finds the worker of a running task that was cancelled or timed out and asks it to stop the task;
   * when interrupting on a transport that can kill workers, kills the worker after {@link #killGrace} if
   * the task is still running then.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // the kill timer checks the task itself when it fires
  private void stop(RemoteTask task, boolean interrupt) {
    W w;
    long id;
    lock.lock();
    try {
      @SuppressWarnings("unchecked") // only this pool's workers are ever stored in its tasks
      W mine = (W) task.worker;
      w = mine;
      if (w == null || !w.inFlight.contains(task.id)) {
        return;
      }
      id = task.id;
      Duration grace = killGrace();
      if (interrupt && grace != null && !task.killScheduled) {
        task.killScheduled = true;
        W target = w;
        TIMER.schedule(() -> killIfStillRunning(target, id), grace.toNanos(), TimeUnit.NANOSECONDS);
      }
    } finally {
      lock.unlock();
    }
    w.cancel(id, interrupt);
  }

  private void killIfStillRunning(W w, long id) {
    lock.lock();
    try {
      // Only the oldest task on an in-order worker runs; a queued one is skipped there, never killed for.
      if (w.dead || !w.inFlight.contains(id) || (inOrder && w.inFlight.firstId() != id)) {
        return;
      }
      w.killed = true;
    } finally {
      lock.unlock();
    }
    w.kill();
  }

  @Override
  protected final void shutdownBackend() {
    lock.lock();
    try {
      stopping = true;
      idleCheckLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes back the queued tasks and the ones prefetched by in-order workers, interrupts the running ones,
   * and lets the transport make sure the pool terminates even if a task ignores its interrupt.
   */
  @Override
  protected final List<TaskRun<?>> shutdownBackendNow() {
    List<TaskRun<?>> never;
    List<TaskRun<?>> running = new ArrayList<>();
    List<W> all;
    lock.lock();
    try {
      stopping = true;
      never = takeQueuedLocked();
      for (W w : workers) {
        boolean first = true;
        for (RemoteTask task : w.inFlight.list()) {
          (first || !inOrder ? running : never).add(task.run());
          first = false;
        }
      }
      all = new ArrayList<>(workers);
    } finally {
      lock.unlock();
    }
    for (TaskRun<?> r : running) {
      r.cancel(true); // interrupt; the worker's answer then frees its place
    }
    afterShutdownNow(all);
    lock.lock();
    try {
      idleCheckLocked();
    } finally {
      lock.unlock();
    }
    return never;
  }

  private boolean terminatedLocked() {
    return stopping && pendingCompletions.get() == 0 && transportTerminatedLocked();
  }

  @Override
  protected final boolean awaitBackend(long nanos) throws InterruptedException {
    lock.lock();
    try {
      long left = nanos;
      while (!terminatedLocked()) {
        if (left <= 0) {
          return false;
        }
        left = changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected final boolean backendTerminated() {
    lock.lock();
    try {
      return terminatedLocked();
    } finally {
      lock.unlock();
    }
  }
}
