package dev.unipool.spi;

import dev.unipool.WorkerStats;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The in-process workers of one pool, for {@link dev.unipool.Pool#stats()}: slots of platform threads made
 * by {@link #threadFactory}, and one shared entry for tasks that run on any other thread (virtual threads,
 * the callers of an inline pool, auto's probes).
 *
 * <p>Overview: a thread slot is written only by the thread that holds it, with opaque stores (no fence per
 * task): the number of tasks it ran, and its idle time, measured only when it waits for work in the
 * executor's queue ({@link MeteredQueue}). Busy time is up time minus idle time, so a thread that runs tasks
 * back to back reads no clock at all. The shared entry counts with {@link LongAdder}s and times the first
 * {@link #TIME_FIRST} tasks, then one task in {@link #SAMPLE_EVERY} (weighted by that factor), or every task
 * when the pool records timings anyway: a clock read costs 25-70 ns on the machines measured, more than a
 * whole inline task, and one per task tripled the inline backend's per-task cost (JMH).
 */
final class LocalWorkers {
  private static final long PID = ProcessHandle.current().pid();
  /** The shared entry times every one of a pool's first tasks... */
  static final int TIME_FIRST = 1024;
  /** ...then one in this many (a power of two), counting each measured one this many times. */
  static final int SAMPLE_EVERY = 64;

  private final AbstractPool pool;
  private final List<Slot> slots = new ArrayList<>(); // guarded by itself
  private final LongAdder sharedBusy = new LongAdder();
  private final LongAdder sharedTasks = new LongAdder();
  private final LongAdder sharedActive = new LongAdder();
  private volatile @Nullable String sharedName;
  /** True when every task of the pool runs on shared threads: their counts are the pool's own. */
  private volatile boolean sharedIsPool;
  /** Tasks timed so far, up to TIME_FIRST; racy on purpose (a lost update only times one more task). */
  private int timedFirst;
  /** Picks the sampled tasks of platform threads; racy on purpose, like timedFirst. */
  private int tick;

  LocalWorkers(AbstractPool pool) {
    this.pool = pool;
  }

  // ---- the shared entry ----

  void shareAs(String name, boolean onlyWorkers) {
    sharedName = name;
    sharedIsPool = onlyWorkers;
  }

  /**
   * A task begins on a shared thread.
   *
   * @param me the current thread
   * @param timed whether the task records timings anyway (then it is always timed)
   * @return the weight of its run time in the busy total (0: not timed; else the clock was read into the
   *     returned value's companion, see {@link #sharedRan})
   */
  int sharedBegan(Thread me, boolean timed) {
    if (!sharedIsPool) {
      sharedActive.increment();
    }
    if (timed) {
      return 1;
    }
    if (timedFirst < TIME_FIRST) {
      timedFirst++;
      return 1;
    }
    // A virtual thread per task: its id is new each time, and free to read. Platform threads (the callers
    // of an inline pool, auto's probes) take turns on a counter.
    long pick = me.isVirtual() ? me.threadId() : ++tick;
    return (pick & (SAMPLE_EVERY - 1)) == 0 ? SAMPLE_EVERY : 0;
  }

  /**
   * A task ends on a shared thread.
   *
   * @param weight what {@link #sharedBegan} returned
   * @param nanos its run time if {@code weight > 0}
   */
  void sharedRan(int weight, long nanos) {
    if (weight > 0) {
      sharedBusy.add(weight * nanos);
    }
    if (!sharedIsPool) {
      sharedTasks.increment();
      sharedActive.decrement();
    }
  }

  // ---- thread slots ----

  ThreadFactory threadFactory(String prefix, boolean daemon) {
    AtomicInteger numbers = new AtomicInteger();
    return r -> {
      String name = prefix + numbers.incrementAndGet();
      Slot slot = claimSlot(name);
      MeteredThread t = new MeteredThread(this, slot, r, name);
      t.setDaemon(daemon);
      return t;
    };
  }

  /** A free slot for a new thread, or a new slot; a thread that ended after its keep-alive frees its slot. */
  private Slot claimSlot(String threadName) {
    synchronized (slots) {
      Slot slot = null;
      for (Slot s : slots) {
        if (!s.taken) {
          slot = s;
          break;
        }
      }
      if (slot == null) {
        slot = new Slot();
        slots.add(slot);
      }
      slot.taken = true;
      slot.generations++;
      slot.name = threadName;
      return slot;
    }
  }

  private void releaseSlot(Slot s) {
    synchronized (slots) {
      s.taken = false;
    }
  }

  /**
   * The sum over the thread slots of one of the pool's task counters ({@link PoolCounters}).
   *
   * @param field the counter
   * @return its total in the slots
   */
  long slotCount(int field) {
    List<Slot> copy;
    synchronized (slots) {
      copy = List.copyOf(slots);
    }
    long n = 0;
    for (Slot s : copy) {
      n += s.counted(field);
    }
    return n;
  }

  // ---- snapshot ----

  List<WorkerStats> stats() {
    long now = System.nanoTime();
    List<WorkerStats> out = new ArrayList<>();
    List<Slot> copy;
    int[] generations;
    synchronized (slots) {
      copy = List.copyOf(slots);
      generations = new int[copy.size()];
      for (int i = 0; i < generations.length; i++) {
        generations[i] = copy.get(i).generations;
      }
    }
    boolean stopped = pool.isTerminated();
    for (int i = 0; i < generations.length; i++) {
      out.add(copy.get(i).snapshot(now, stopped, generations[i]));
    }
    String shared = sharedName;
    long tasks = sharedIsPool ? pool.counters().ranToEnd() : sharedTasks.sum();
    long active = sharedIsPool ? pool.counters().snapshot()[4] : Math.max(0, sharedActive.sum());
    if (shared != null && (copy.isEmpty() || tasks > 0 || active > 0)) {
      WorkerStats.State state = active > 0 ? WorkerStats.State.BUSY
          : stopped ? WorkerStats.State.STOPPED : WorkerStats.State.IDLE;
      out.add(new WorkerStats(shared, PID, "localhost", state, tasks, (int) Math.min(Integer.MAX_VALUE, active),
          Duration.ofNanos(sharedBusy.sum()), Duration.ZERO, Duration.ZERO, Duration.ZERO, 0, -1));
    }
    return out;
  }

  /**
   * One platform thread's place in the pool, kept across the threads that take it in turn (an idle thread
   * ends after its keep-alive; a later one takes the free slot). Counters are written by the holding thread
   * only; readers see them with opaque reads, possibly a moment late.
   */
  static final class Slot {
    private static final VarHandle TASKS;
    private static final VarHandle IDLE;
    private static final VarHandle IDLE_SINCE;
    private static final VarHandle ALIVE;
    private static final VarHandle ALIVE_SINCE;
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);

    static {
      try {
        MethodHandles.Lookup l = MethodHandles.lookup();
        TASKS = l.findVarHandle(Slot.class, "tasks", long.class);
        IDLE = l.findVarHandle(Slot.class, "idleNanos", long.class);
        IDLE_SINCE = l.findVarHandle(Slot.class, "idleSince", long.class);
        ALIVE = l.findVarHandle(Slot.class, "aliveNanos", long.class);
        ALIVE_SINCE = l.findVarHandle(Slot.class, "aliveSince", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    boolean taken; // guarded by the slots list
    int generations; // guarded by the slots list
    volatile String name = "";
    private long tasks;
    private long idleNanos;
    private long idleSince; // 0 while the thread runs tasks
    private long aliveNanos; // up time of the slot's earlier threads
    private long aliveSince; // 0 when no thread holds the slot
    /** The pool's task counters for tasks whose events happen on this slot's thread (see PoolCounters). */
    private final long[] counts = new long[PoolCounters.FIELDS];

    /** Adds to a pool counter; only the slot's thread calls it. A release store: no fence on x86. */
    void count(int field, long delta) {
      COUNT.setRelease(counts, field, counts[field] + delta);
    }

    long counted(int field) {
      return (long) COUNT.getAcquire(counts, field);
    }

    void enter() {
      ALIVE_SINCE.setOpaque(this, System.nanoTime());
    }

    void exit() {
      idleEnds();
      long now = System.nanoTime();
      long since = (long) ALIVE_SINCE.getOpaque(this);
      ALIVE.setOpaque(this, aliveNanos + (now - since));
      ALIVE_SINCE.setOpaque(this, 0L);
    }

    void ran() {
      TASKS.setOpaque(this, tasks + 1);
    }

    /** The thread waits for work; a wait that follows one that ended without a task continues its period. */
    void idleStarts(long now) {
      if ((long) IDLE_SINCE.getOpaque(this) == 0) {
        IDLE_SINCE.setOpaque(this, now);
      }
    }

    /** The thread has a task: closes the idle period, if any (the clock is read only then). */
    void idleEnds() {
      long since = (long) IDLE_SINCE.getOpaque(this);
      if (since != 0) {
        IDLE.setOpaque(this, idleNanos + (System.nanoTime() - since));
        IDLE_SINCE.setOpaque(this, 0L);
      }
    }

    WorkerStats snapshot(long now, boolean poolStopped, int generations) {
      long aliveSinceNow = (long) ALIVE_SINCE.getOpaque(this);
      long idleSinceNow = (long) IDLE_SINCE.getOpaque(this);
      long alive = (long) ALIVE.getOpaque(this) + (aliveSinceNow == 0 ? 0 : now - aliveSinceNow);
      long idle = (long) IDLE.getOpaque(this) + (idleSinceNow == 0 ? 0 : now - idleSinceNow);
      boolean up = aliveSinceNow != 0;
      // Once the pool has terminated, a thread still on its way out runs no task.
      boolean busy = up && idleSinceNow == 0 && !poolStopped;
      WorkerStats.State state = busy ? WorkerStats.State.BUSY
          : poolStopped ? WorkerStats.State.STOPPED : WorkerStats.State.IDLE;
      return new WorkerStats(name, PID, "localhost", state, (long) TASKS.getOpaque(this), busy ? 1 : 0,
          Duration.ofNanos(Math.max(0, alive - idle)), Duration.ofNanos(Math.max(0, Math.min(idle, alive))),
          Duration.ZERO, Duration.ZERO, Math.max(0, generations - 1), -1);
    }
  }

  /** A platform thread that is one of a pool's workers. */
  static final class MeteredThread extends Thread {
    final LocalWorkers owner;
    final Slot slot;

    MeteredThread(LocalWorkers owner, Slot slot, Runnable task, String name) {
      super(null, task, name, 0, false);
      this.owner = owner;
      this.slot = slot;
    }

    @Override
    public void run() {
      slot.enter();
      try {
        super.run();
      } finally {
        slot.exit();
        owner.releaseSlot(slot);
      }
    }
  }

  /**
   * The work queue of a pool of {@link MeteredThread}s: a worker that finds it empty records how long it
   * waits. A worker that finds a task at once reads no clock.
   */
  static final class MeteredQueue extends LinkedBlockingQueue<Runnable> {
    private static final long serialVersionUID = 1L;

    // A wait that ends without a task (a keep-alive that ran out, the interrupt of a shutdown) leaves the
    // thread idle: it either ends, which closes the idle period, or comes back to wait some more.

    @Override
    public Runnable take() throws InterruptedException {
      Slot slot = slotOfCurrentThread();
      Runnable r = poll();
      if (r == null) {
        if (slot == null) {
          return super.take();
        }
        slot.idleStarts(System.nanoTime());
        r = super.take();
      }
      if (slot != null) {
        slot.idleEnds(); // reads the clock only if the thread was idle
      }
      return r;
    }

    @Override
    public @Nullable Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
      Slot slot = slotOfCurrentThread();
      Runnable r = poll();
      if (r == null) {
        if (slot == null) {
          return super.poll(timeout, unit);
        }
        slot.idleStarts(System.nanoTime());
        r = super.poll(timeout, unit);
      }
      if (r != null && slot != null) {
        slot.idleEnds();
      }
      return r;
    }

    private static @Nullable Slot slotOfCurrentThread() {
      return Thread.currentThread() instanceof MeteredThread t ? t.slot : null;
    }
  }
}
