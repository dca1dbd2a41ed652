package dev.unipool.process.internal;

import dev.unipool.Shared;
import dev.unipool.remote.Codec;
import dev.unipool.remote.Reply;
import dev.unipool.remote.TaskRunner;
import dev.unipool.spi.RunningTask;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A worker's frame reading and task running, shared by two threads that take turns (leader/follower):
 * one reads frames while the other waits. The reader that reads a {@code Run} while no task is running
 * runs the task itself, so a task starts without a thread hand-off; a {@code Run} read while a task runs
 * is queued for the running thread, which runs the queue in order and then waits for the reading role.
 * So tasks run one at a time, in the order sent, and a {@code Cancel} reaches a running task while it
 * runs: the other thread reads meanwhile.
 *
 * <p>When the reading role passes: with a burst (frames buffered behind the task) at once, so the rest
 * is read while the batch runs. With a lone task, only if it still runs after a short delay
 * ({@link #DEFAULT_HAND_OFF_NANOS}); a short one leaves the role with the thread that ran it, which reads
 * on. The other thread watches for long lone tasks on a timer while tasks keep coming, and sleeps untimed
 * once they stop (the first lone task after that wakes it).
 *
 * <p>Why: a round trip used to wake two worker threads (the reader, then a separate task thread it
 * handed each task to through a queue); a wake-up on this VM costs about half a raw socket round trip.
 * Then the thread the socket woke ran the task, but woke the other to read, on every task: a second
 * wake-up per round trip, off its critical path but on the same two cores (sequential
 * {@code submit().get()} on {@code processes(2)}: 43-45 µs with it, 37-39 µs without, 2 idle cores).
 *
 * <p>Threading: {@link #run} is called by exactly two threads; all state is guarded by {@link #lock}.
 * Frames are written through the {@link Sink} by whichever thread has something to say.
 */
final class TaskLoop {
  /** Where frames come from; only the thread holding the reading role calls it. */
  interface Source {
    /**
     * Reads the next frame, blocking.
     *
     * @return the frame, or null at the end of the stream
     * @throws IOException if the connection fails
     */
    @Nullable Frame read() throws IOException;

    /**
     * Whether the next frame is already buffered in full, so {@link #read} returns it at once, without
     * waiting for the connection or copying a payload out of shared memory. False when unsure.
     *
     * @return true if the next read does not block
     */
    default boolean hasBuffered() {
      return false;
    }
  }

  /** Where frames go: any thread may send. */
  interface Sink {
    /**
     * Queues a frame, and writes all queued frames if {@code flush}.
     *
     * @param frame the frame
     * @param flush whether to write now
     * @throws IOException if the connection fails
     */
    void send(Frame frame, boolean flush) throws IOException;

    /**
     * Writes all queued frames.
     *
     * @throws IOException if the connection fails
     */
    void flush() throws IOException;
  }

  /** How the loop ends; a worker's implementation exits the JVM and never returns. */
  interface Exit {
    /** A {@code Stop} frame was read and every task before it has run and been answered. */
    void stopped();

    /**
     * The parent is gone (end of stream) or the connection failed.
     *
     * @param cause the failure, or null at a clean end of stream
     */
    void lost(@Nullable IOException cause);
  }

  private static final Frame.Run STOP = new Frame.Run(-1, false, new Codec.Encoded((byte) 0, new byte[0]));
  private static final long FLUSH_DELAY_NANOS = 200_000;
  /**
   * How long a lone task runs before the other thread takes the reading role, so that a cancel (or
   * anything else sent) is read while it runs: the delay a cancel of a long task may see, and the period
   * of the other thread's timer while tasks keep coming.
   */
  static final long DEFAULT_HAND_OFF_NANOS = 1_000_000;
  private static final int LARGE_RESULT = 1 << 16;
  /** Bounds the cancels remembered for tasks not seen (yet, or ever: a cancel may race the task's end). */
  private static final int MAX_CANCELLED = 10_000;

  private final Source in;
  private final Sink out;
  private final Exit exit;
  private final Codec codec;
  private final StartedMark mark;
  private final IdleCollection idleCollection;

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when the reading role is free, or the loop has ended. */
  private final Condition readerWanted = lock.newCondition();
  private final ArrayDeque<Frame.Run> queue = new ArrayDeque<>(); // guarded by lock
  private final Set<Long> cancelled = new HashSet<>(); // guarded by lock
  /** Whether no thread reads and one must take over; true at first, so the first thread in reads. */
  private boolean readRoleFree = true; // guarded by lock
  /** Whether a thread is running tasks (the queue's head, or the task it read); false means idle. */
  private boolean runnerActive; // guarded by lock
  private boolean ended; // guarded by lock
  private long running = -1; // guarded by lock
  private @Nullable RunningTask current; // guarded by lock
  /**
   * The thread running a lone task with the reading role left free for it to take back, or null: the
   * other thread takes the role only once {@link #handOffNanos} have passed since {@link #loneSince}.
   */
  private @Nullable Thread loneRunner; // guarded by lock
  private long loneSince; // guarded by lock
  /** Lone tasks begun so far: the waiting thread keeps its timer while this moves. */
  private long loneTasks; // guarded by lock
  /** Whether the waiting thread waits untimed, so a lone task must wake it to start its timer. */
  private boolean watcherAsleep; // guarded by lock
  private final long handOffNanos;

  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  /** Owned (no application code runs on it), so it writes itself rather than waking the writer's thread. */
  private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(
      r -> Thread.ofPlatform().daemon().name("unipool-flush").unstarted(() -> {
        FrameWriter.markOwned();
        r.run();
      }));

  /**
   * Creates the loop; nothing runs until two threads call {@link #run}.
   *
   * @param in the frames from the parent
   * @param out the frames to the parent
   * @param exit what to do when the loop ends
   * @param codec decodes tasks and encodes results
   * @param mark records which task is being decoded and run
   * @param idleCollection told of large payloads, and when the loop has nothing to run
   */
  TaskLoop(Source in, Sink out, Exit exit, Codec codec, StartedMark mark, IdleCollection idleCollection) {
    this(in, out, exit, codec, mark, idleCollection, DEFAULT_HAND_OFF_NANOS);
  }

  /**
   * As {@link #TaskLoop(Source, Sink, Exit, Codec, StartedMark, IdleCollection)}, with the delay after
   * which a lone task's reading role passes to the other thread (tests set it).
   */
  TaskLoop(Source in, Sink out, Exit exit, Codec codec, StartedMark mark, IdleCollection idleCollection,
      long handOffNanos) {
    if (handOffNanos <= 0) {
      throw new IllegalArgumentException("handOffNanos must be positive: " + handOffNanos);
    }
    this.handOffNanos = handOffNanos;
    this.in = in;
    this.out = out;
    this.exit = exit;
    this.codec = codec;
    this.mark = mark;
    this.idleCollection = idleCollection;
  }

  /**
   * One of the loop's two threads: waits for the reading role, reads until it has a task to run, runs it
   * and whatever queued behind it, and again. Returns only once the loop has ended (after {@link Exit}
   * was told, if that returns).
   */
  void run() {
    FrameWriter.markOwned();
    try {
      Frame.@Nullable Run task;
      while (takeReadRole() && (task = readUntilTask()) != null) {
        boolean goOn = runAll(task);
        task = null; // it may hold a large payload, which the idle collection below must find dead
        if (!goOn) {
          return;
        }
        idleCollection.idle(); // answered, nothing queued: the next large payload's collection, now
        Shared.releaseClosed(); // and the memory of shared data closed meanwhile, rather than at exit
      }
    } catch (IOException e) {
      end();
      exit.lost(e);
    } catch (RuntimeException | Error e) {
      // Ended as a lost connection, so that the other thread, waiting for the reading role, is not left
      // waiting for ever and the worker exits instead of hanging.
      end();
      exit.lost(new IOException("worker loop failed: " + e, e));
    }
  }

  /**
   * Waits until no thread reads, and takes the role; false once the loop has ended. A role left free for
   * a lone task's thread is taken by the other thread only once that task has run {@link #handOffNanos}.
   */
  private boolean takeReadRole() {
    Thread me = Thread.currentThread();
    lock.lock();
    try {
      long seen = loneTasks;
      while (!ended) {
        if (readRoleFree && (loneRunner == null || loneRunner == me)) {
          break;
        }
        if (readRoleFree) {
          long left = loneSince + handOffNanos - System.nanoTime();
          if (left <= 0) {
            break; // a long task: read on while it runs
          }
          awaitNanos(left);
        } else if (loneTasks != seen) {
          // Tasks keep coming: a timer rather than a wake-up from each of them.
          seen = loneTasks;
          awaitNanos(handOffNanos);
        } else {
          watcherAsleep = true;
          readerWanted.awaitUninterruptibly();
          watcherAsleep = false;
        }
      }
      readRoleFree = false;
      loneRunner = null;
      return !ended;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits on {@link #readerWanted} at most {@code nanos}, with the lock held. An interrupt is dropped, as
   * {@code awaitUninterruptibly} would not, because this thread may read next, and a blocking channel read
   * by an interrupted thread closes the channel. None is expected: a cancel's interrupt is confined to its
   * task's run ({@link RunningTask}).
   */
  @SuppressWarnings("WaitNotInLoop") // its one caller, takeReadRole, waits in a loop that re-checks
  private void awaitNanos(long nanos) {
    try {
      readerWanted.awaitNanos(nanos);
    } catch (InterruptedException e) {
      // dropped: see above
    }
  }

  private void end() {
    lock.lock();
    try {
      ended = true;
      readerWanted.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Reads frames, handling cancels and queueing tasks while another thread runs tasks, until a task
   * arrives with none running: then queues the frames already buffered behind it, frees the reading role
   * (to the other thread at once after a burst, after a delay for a lone task) and returns the task, for
   * this thread to run. Returns null once the loop has ended (end of stream, or a Stop with nothing
   * running).
   */
  private Frame.@Nullable Run readUntilTask() throws IOException {
    while (true) {
      Frame f = in.read();
      if (f == null) {
        end();
        exit.lost(null);
        return null;
      }
      // Type tests, not a pattern switch: see Frame#write.
      if (f instanceof Frame.Run r) {
        lock.lock();
        try {
          if (runnerActive) {
            queue.add(r);
            continue;
          }
          runnerActive = true;
        } finally {
          lock.unlock();
        }
        readAhead();
        lock.lock();
        try {
          readRoleFree = true;
          if (!queue.isEmpty()) {
            readerWanted.signal(); // the other thread reads on while this one runs the batch
          } else {
            loneRunner = Thread.currentThread();
            loneSince = System.nanoTime();
            loneTasks++;
            if (watcherAsleep) {
              readerWanted.signal(); // to start its timer
            }
          }
        } finally {
          lock.unlock();
        }
        return r;
      } else if (f instanceof Frame.Stop) {
        lock.lock();
        try {
          if (runnerActive) {
            queue.add(STOP); // the running thread stops once it reaches it
            continue;
          }
        } finally {
          lock.unlock();
        }
        stop();
        return null;
      } else {
        control(f);
      }
    }
  }

  /**
   * Queues the frames that arrived with a task, before it runs. A burst of small tasks then runs as one
   * batch whose answers leave in one write: taken one at a time, each task found the queue empty (the
   * other thread had not yet woken to read the next one) and wrote its answer alone, about one system
   * call and one wake-up per task. Only frames already buffered in full are taken, so the task waits for
   * no read; the buffer's size bounds the delay.
   */
  private void readAhead() throws IOException {
    while (in.hasBuffered()) {
      Frame f = in.read();
      if (f instanceof Frame.Run || f instanceof Frame.Stop) {
        lock.lock();
        try {
          queue.add(f instanceof Frame.Run r ? r : STOP); // runnerActive is set: nothing else takes them
        } finally {
          lock.unlock();
        }
      } else if (f != null) {
        control(f);
      } else {
        return; // the end of the stream: the next read sees it again
      }
    }
  }

  /** Handles a frame that is neither a task nor a Stop. */
  private void control(Frame f) throws IOException {
    if (f instanceof Frame.Cancel c) {
      cancel(c.id());
    } else if (f instanceof Frame.ForyReady) {
      codec.peerReadsFory(true);
    } else {
      throw new IOException("unexpected frame " + f);
    }
  }

  /**
   * Runs {@code first} and then the queue until it is empty, or until it reaches a Stop.
   *
   * @return true to go on (wait for the reading role), false if the loop has ended
   */
  @SuppressWarnings("ReferenceEquality") // STOP is a sentinel instance: identity is the point
  private boolean runAll(Frame.Run first) throws IOException {
    Frame.Run r = first;
    while (true) {
      if (r == STOP) {
        stop();
        return false;
      }
      runOne(r);
      lock.lock();
      try {
        r = queue.poll();
        if (r == null) {
          runnerActive = false;
          return true;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  private void stop() throws IOException {
    out.flush();
    end();
    exit.stopped();
  }

  /**
   * Whether nothing waits to run: then an answer leaves at once rather than with the next ones. A task
   * waits also when this thread ran a lone task and kept the reading role, and the next frame has arrived
   * in full: this thread reads and runs it next, as it would a queued one. (Should that frame be no task
   * but, say, a cancel, the answer leaves with the flush timer, within {@link #FLUSH_DELAY_NANOS}.)
   */
  private boolean nothingWaits() {
    lock.lock();
    try {
      // Under the lock: the other thread takes the role only under it, so the source is not being read.
      return queue.isEmpty() && !(loneRunner == Thread.currentThread() && in.hasBuffered());
    } finally {
      lock.unlock();
    }
  }

  private void runOne(Frame.Run r) throws IOException {
    RunningTask me = null;
    lock.lock();
    try {
      if (!cancelled.remove(r.id())) {
        me = new RunningTask();
        current = me;
        running = r.id();
      }
    } finally {
      lock.unlock();
    }
    if (me == null) { // sent outside the lock: the reader must never wait for a blocked write
      answer(new Frame.Skipped(r.id()), false);
      return;
    }
    idleCollection.saw(r.task().wireLength());
    Reply reply;
    try {
      reply = TaskRunner.run(codec, r.task(), new TaskRunner.Steps() {
        @Override
        public void decoding() {
          mark.decoding(r.id());
        }

        @Override
        public boolean decoded() throws IOException {
          mark.running(r.id());
          if (!r.reportStart()) {
            return false;
          }
          // Its timeout counts from here, not from when it was sent: decoding the first task of a
          // fresh worker (class loading, a cold codec) can take longer than a short timeout.
          out.send(new Frame.Started(r.id()), true);
          return true;
        }
      });
    } finally {
      me.finish();
      lock.lock();
      try {
        running = -1;
        current = null;
      } finally {
        lock.unlock();
      }
      // A task may leave its own interrupt flag set; this thread may read next, and a blocking channel
      // read by an interrupted thread closes the channel, cutting the worker off.
      Thread.interrupted();
    }
    idleCollection.saw(reply.payload().wireLength());
    // A large result leaves at once: it is sent from the task's own array, which the next task might
    // modify if it were still waiting in the writer.
    answer(new Frame.Done(r.id(), reply.status() == Reply.Status.OK, reply.runNanos(), reply.payload()),
        reply.payload().wireLength() > LARGE_RESULT);
  }

  /**
   * Sends an answer. With nothing waiting behind it, it leaves at once; with more tasks waiting (a burst of
   * small ones), answers are combined and flushed within {@link #FLUSH_DELAY_NANOS}, so a slow next task
   * still cannot hold them back for long.
   */
  private void answer(Frame f, boolean now) throws IOException {
    boolean flush = now || nothingWaits();
    out.send(f, flush);
    if (!flush) {
      scheduleFlush();
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the flag, not the future, tracks the pending flush
  private void scheduleFlush() {
    if (flushScheduled.compareAndSet(false, true)) {
      flusher.schedule(() -> {
        flushScheduled.set(false);
        try {
          out.flush();
        } catch (IOException e) {
          end();
          exit.lost(e);
        }
      }, FLUSH_DELAY_NANOS, TimeUnit.NANOSECONDS);
    }
  }

  /** Skips a queued task (answering at once), interrupts a running one, or remembers the id for later. */
  private void cancel(long id) throws IOException {
    boolean queued;
    lock.lock();
    try {
      RunningTask r = current;
      if (running == id && r != null) {
        r.interrupt();
        return;
      }
      // Still queued here: drop it now and say so, so the parent does not wait for the tasks ahead of it.
      queued = queue.removeIf(f -> f.id() == id);
      if (!queued && cancelled.size() < MAX_CANCELLED) {
        cancelled.add(id); // not arrived yet, or already done (then harmless; the set is bounded)
      }
    } finally {
      lock.unlock();
    }
    if (queued) {
      out.send(new Frame.Skipped(id), true);
    }
  }
}
