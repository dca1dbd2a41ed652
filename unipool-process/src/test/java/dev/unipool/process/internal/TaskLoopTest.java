package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.remote.Codec;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TaskLoop}'s two threads taking turns, driven frame by frame from the test: a task read while idle
 * runs on the thread that read it while the other reads on, a task read while one runs waits for it, cancels
 * reach a running task and queued ones, Stop waits for the running task, and an interrupt never reaches
 * a read. Every wait is on a frame or a latch, never on time: tests tagged {@value #NO_HAND_OFF} run with a
 * hand-off delay no test reaches, so which thread reads is decided by the frames alone.
 */
@Timeout(60)
class TaskLoopTest {
  private static final long WAIT_SECONDS = 30;
  /** A tag: the loop passes a lone task's reading role on only after an hour, in effect never. */
  static final String NO_HAND_OFF = "noHandOff";
  /** Latches the tasks below use, by name; each test uses names of its own. */
  static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();
  /** The thread each {@link Value} (by its value) and {@link Await} (by its start latch) ran on. */
  static final Map<String, Thread> RAN_ON = new ConcurrentHashMap<>();

  static CountDownLatch latch(String name) {
    return LATCHES.computeIfAbsent(name, n -> new CountDownLatch(1));
  }

  /** Returns its value; records the thread it ran on. */
  record Value(String value) implements Callable<String>, Serializable {
    @Override
    public String call() {
      RAN_ON.put(value, Thread.currentThread());
      return value;
    }
  }

  /** Records its thread and says it started, then waits (interruptibly) until released. */
  record Await(String started, String release) implements Callable<String>, Serializable {
    @Override
    public String call() throws InterruptedException {
      RAN_ON.put(started, Thread.currentThread());
      latch(started).countDown();
      latch(release).await();
      return "released";
    }
  }

  /** Leaves its thread's interrupt flag set, as careless task code may. */
  record SelfInterrupt() implements Callable<String>, Serializable {
    @Override
    public String call() {
      Thread.currentThread().interrupt();
      return "interrupted myself";
    }
  }

  /** A value Fory or Java serialization writes (not one of the codec's raw types). */
  record Pair(String name, int n) implements Serializable {}

  /** Returns a {@link Pair}. */
  record MakePair(String name, int n) implements Callable<Pair>, Serializable {
    @Override
    public Pair call() {
      return new Pair(name, n);
    }
  }

  /** Frames that arrive together: the source holds them as buffered, as a socket read of a burst does. */
  record Burst(List<Frame> frames) {}

  private static final Object EOF = new Object();
  private static final Object STOPPED = new Object();

  /** Frames the test feeds; counts what was read, by which thread, and whether it was interrupted then. */
  private final LinkedBlockingQueue<Object> feed = new LinkedBlockingQueue<>();
  private final Semaphore consumed = new Semaphore(0);
  private final List<Thread> readers = new ArrayList<>(); // guarded by itself
  private volatile boolean readWhileInterrupted;
  /** Whether a frame fed on its own counts as buffered in full, as one that arrived while a task ran. */
  private volatile boolean feedIsBuffered;
  /** Fed to make the read fail with an unchecked exception. */
  private static final Object FAULT = new Object();

  /** The rest of the last {@link Burst} read; only the thread holding the reading role touches it. */
  private final java.util.concurrent.ConcurrentLinkedDeque<Frame> buffered = new java.util.concurrent.ConcurrentLinkedDeque<>();

  /** What the loop sent, and {@link #STOPPED} or a lost marker when it ended. */
  private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
  /** For each answer sent (by task id): whether it was to be written at once. */
  private final Map<Long, Boolean> answerFlushed = new ConcurrentHashMap<>();
  private final AtomicReference<@Nullable Object> lost = new AtomicReference<>();
  private final Codec codec = new Codec(List.of(), "a test");
  private final List<Thread> threads = new ArrayList<>();

  @TempDir
  Path dir;

  @BeforeEach
  void start(TestInfo test) throws IOException {
    TaskLoop.Source source = new TaskLoop.Source() {
      @Override
      public @Nullable Frame read() throws IOException {
        if (Thread.currentThread().isInterrupted()) {
          readWhileInterrupted = true;
        }
        Object next = buffered.poll();
        if (next == null) {
          try {
            next = feed.take();
          } catch (InterruptedException e) {
            readWhileInterrupted = true;
            throw new IOException("interrupted in a read", e);
          }
          if (next instanceof Burst b) {
            buffered.addAll(b.frames().subList(1, b.frames().size()));
            next = b.frames().get(0);
          }
        }
        synchronized (readers) {
          readers.add(Thread.currentThread());
        }
        consumed.release();
        if (next == FAULT) {
          throw new IllegalStateException("a fault in the read (say, of a mapped region)");
        }
        return next == EOF ? null : (Frame) next;
      }

      @Override
      public boolean hasBuffered() {
        return !buffered.isEmpty() || (feedIsBuffered && feed.peek() instanceof Frame);
      }
    };
    TaskLoop.Sink sink = new TaskLoop.Sink() {
      @Override
      public void send(Frame frame, boolean flush) {
        if (frame instanceof Frame.Done d) {
          answerFlushed.put(d.id(), flush);
        }
        events.add(frame);
      }

      @Override
      public void flush() {}
    };
    TaskLoop.Exit exit = new TaskLoop.Exit() {
      @Override
      public void stopped() {
        events.add(STOPPED);
      }

      @Override
      public void lost(@Nullable IOException cause) {
        lost.set(cause == null ? EOF : cause);
        events.add(EOF);
      }
    };
    long handOff = test.getTags().contains(NO_HAND_OFF) ? TimeUnit.HOURS.toNanos(1) : TaskLoop.DEFAULT_HAND_OFF_NANOS;
    TaskLoop loop = new TaskLoop(source, sink, exit, codec, StartedMark.create(dir.resolve("mark")),
        new IdleCollection(() -> null, () -> { }), handOff);
    for (int i = 0; i < 2; i++) {
      threads.add(Thread.ofPlatform().daemon().name("loop-" + i).start(loop::run));
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    LATCHES.values().forEach(CountDownLatch::countDown); // no task stays blocked
    feed.add(EOF);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      assertFalse(t.isAlive(), t + " did not end with the stream");
    }
  }

  private Frame.Run run(long id, Callable<?> task) {
    return run(id, task, false);
  }

  private Frame.Run run(long id, Callable<?> task, boolean reportStart) {
    return new Frame.Run(id, reportStart, codec.encodeTask(task));
  }

  /** Feeds frames and waits until the loop has read them all. */
  private void feedAndAwaitRead(Frame... frames) throws InterruptedException {
    feed.addAll(List.of(frames));
    assertTrue(consumed.tryAcquire(frames.length, WAIT_SECONDS, TimeUnit.SECONDS), "the loop did not read the frames");
  }

  private Object next() throws InterruptedException {
    Object e = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(e, "the loop sent nothing");
    return e;
  }

  private Object doneValue(long id) throws Exception {
    Frame.Done d = assertInstanceOf(Frame.Done.class, next());
    assertEquals(id, d.id());
    assertTrue(d.ok(), () -> "task " + id + " failed: " + codec.decodeThrowable(d.payload()));
    Object v = codec.decode(d.payload());
    assertNotNull(v);
    return v;
  }

  private static void await(String latch) throws InterruptedException {
    assertTrue(latch(latch).await(WAIT_SECONDS, TimeUnit.SECONDS), latch + " was not reached");
  }

  @Test
  void answersTasksInTheOrderSent() throws Exception {
    feed.addAll(List.of(run(1, new Value("order-a")), run(2, new Value("order-b")), run(3, new Value("order-c"))));
    assertEquals("order-a", doneValue(1));
    assertEquals("order-b", doneValue(2));
    assertEquals("order-c", doneValue(3));
  }

  @Test
  void aBurstRunsAsOneBatchOnTheThreadThatReadIt_itsAnswersLeaveTogether() throws Exception {
    feed.add(new Burst(List.of(run(1, new Value("burst-a")), run(2, new Value("burst-b")),
        run(3, new Value("burst-c")))));
    assertEquals("burst-a", doneValue(1));
    assertEquals("burst-b", doneValue(2));
    assertEquals("burst-c", doneValue(3));
    // Queued behind the first before it ran: the first two answers wait for the last, which flushes all.
    assertEquals(Map.of(1L, false, 2L, false, 3L, true), answerFlushed);
    assertSame(RAN_ON.get("burst-a"), RAN_ON.get("burst-b"));
    assertSame(RAN_ON.get("burst-a"), RAN_ON.get("burst-c"));
  }

  @Test
  void aCancelInABurstSkipsItsTaskBeforeTheBurstRuns() throws Exception {
    feed.add(new Burst(List.of(run(1, new Value("burst-cancel-a")), run(2, new Value("burst-cancel-never")),
        new Frame.Cancel(2))));
    assertEquals(2, assertInstanceOf(Frame.Skipped.class, next()).id());
    assertEquals("burst-cancel-a", doneValue(1));
    assertNull(RAN_ON.get("burst-cancel-never"), "the cancelled task ran");
  }

  @Test
  void aStopInABurstStopsAfterTheTasksBeforeIt() throws Exception {
    feed.add(new Burst(List.of(run(1, new Value("burst-stop-a")), new Frame.Stop(),
        run(2, new Value("burst-stop-never")))));
    assertEquals("burst-stop-a", doneValue(1));
    assertSame(STOPPED, next());
    assertNull(RAN_ON.get("burst-stop-never"), "a task after the Stop ran");
  }

  @Test
  void anIdleLoopRunsATaskOnTheThreadThatReadItWhileTheOtherReads() throws Exception {
    feedAndAwaitRead(run(1, new Await("same-started", "same-release")));
    await("same-started");
    // The task still runs, so the next frame can only be read by the other thread.
    feedAndAwaitRead(new Frame.Cancel(99));
    synchronized (readers) {
      assertSame(readers.get(0), RAN_ON.get("same-started"), "the task was handed to another thread");
      assertFalse(readers.get(1) == readers.get(0), "no other thread read while the task ran");
    }
    latch("same-release").countDown();
    assertEquals("released", doneValue(1));
  }

  @Test
  @Tag(NO_HAND_OFF)
  void loneTasksOneAfterAnotherAreReadAndRunByOneThread_theOtherIsNotWokenForEach() throws Exception {
    for (int i = 1; i <= 5; i++) {
      feed.add(run(i, new Value("lone-" + i)));
      assertEquals("lone-" + i, doneValue(i));
    }
    feedAndAwaitRead(run(6, new Value("lone-6")));
    assertEquals("lone-6", doneValue(6));
    synchronized (readers) {
      assertEquals(6, readers.size());
      assertEquals(1, readers.stream().distinct().count(), "the reading role changed threads: " + readers);
      assertSame(readers.get(0), RAN_ON.get("lone-1"));
      assertSame(readers.get(0), RAN_ON.get("lone-6"));
    }
  }

  @Test
  @Tag(NO_HAND_OFF)
  void aBurstHandsTheReadingRoleOnAtOnce_aCancelReachesItsRunningTask() throws Exception {
    feed.add(new Burst(List.of(run(1, new Await("burst-role-started", "burst-role-never")),
        run(2, new Value("burst-role-second")))));
    await("burst-role-started");
    feed.add(new Frame.Cancel(1)); // only the other thread can read it, and only if it took the role
    Frame.Done d = assertInstanceOf(Frame.Done.class, next());
    assertEquals(1, d.id());
    assertInstanceOf(InterruptedException.class, codec.decodeThrowable(d.payload()));
    assertEquals("burst-role-second", doneValue(2));
  }

  @Test
  @Tag(NO_HAND_OFF)
  void aLoneTasksAnswerWaitsForTheNextTaskIfThatArrivedWhileItRan_thenBothLeave() throws Exception {
    feedAndAwaitRead(run(1, new Await("lone-batch-started", "lone-batch-release")));
    await("lone-batch-started");
    feedIsBuffered = true;
    feed.add(run(2, new Value("lone-batch-next")));
    latch("lone-batch-release").countDown();
    assertEquals("released", doneValue(1));
    assertEquals("lone-batch-next", doneValue(2));
    assertEquals(Map.of(1L, false, 2L, true), answerFlushed);
  }

  @Test
  void aLoneTaskStillRunningAfterTheDelayHandsTheReadingRoleOn_itsCancelReachesIt() throws Exception {
    // The first lone task after idling wakes the other thread to time it; later ones find it timing.
    feed.add(run(1, new Value("before-long")));
    assertEquals("before-long", doneValue(1));
    feedAndAwaitRead(run(2, new Await("long-started", "long-never")));
    await("long-started");
    feed.add(new Frame.Cancel(2));
    Frame.Done d = assertInstanceOf(Frame.Done.class, next());
    assertEquals(2, d.id());
    assertInstanceOf(InterruptedException.class, codec.decodeThrowable(d.payload()));
    synchronized (readers) {
      assertFalse(readers.get(readers.size() - 1) == RAN_ON.get("long-started"), "the cancel was read by the task's thread");
    }
  }

  @Test
  void aTaskReadWhileOneRunsWaitsForItAndRunsAfter() throws Exception {
    feedAndAwaitRead(run(1, new Await("queued-started", "queued-release")));
    await("queued-started");
    feedAndAwaitRead(run(2, new Value("queued-second")));
    assertNull(events.peek(), "the queued task was answered while the first still ran");
    latch("queued-release").countDown();
    assertEquals("released", doneValue(1));
    assertEquals("queued-second", doneValue(2));
  }

  @Test
  void aCancelInterruptsTheTaskRunningOnTheThreadThatReadIt() throws Exception {
    feedAndAwaitRead(run(1, new Await("cancel-started", "cancel-never")));
    await("cancel-started");
    feed.add(new Frame.Cancel(1));
    Frame.Done d = assertInstanceOf(Frame.Done.class, next());
    assertEquals(1, d.id());
    assertFalse(d.ok());
    assertInstanceOf(InterruptedException.class, codec.decodeThrowable(d.payload()));
    // The interrupt stayed with that task: the loop reads and runs on.
    feed.add(run(2, new Value("after-cancel")));
    assertEquals("after-cancel", doneValue(2));
    assertFalse(readWhileInterrupted, "a thread read while interrupted");
  }

  @Test
  void aCancelSkipsAQueuedTaskAtOnce() throws Exception {
    feedAndAwaitRead(run(1, new Await("skip-started", "skip-release")));
    await("skip-started");
    feed.addAll(List.of(run(2, new Value("skip-never")), new Frame.Cancel(2)));
    Frame.Skipped s = assertInstanceOf(Frame.Skipped.class, next());
    assertEquals(2, s.id());
    latch("skip-release").countDown();
    assertEquals("released", doneValue(1));
    feed.add(run(3, new Value("skip-after")));
    assertEquals("skip-after", doneValue(3));
    assertNull(RAN_ON.get("skip-never"), "the cancelled task ran");
  }

  @Test
  void aCancelBeforeItsTaskSkipsItOnArrival() throws Exception {
    feed.addAll(List.of(new Frame.Cancel(5), run(5, new Value("early-never"))));
    assertEquals(5, assertInstanceOf(Frame.Skipped.class, next()).id());
    assertNull(RAN_ON.get("early-never"), "the cancelled task ran");
  }

  @Test
  void stopWaitsForTheRunningTaskAndItsAnswer() throws Exception {
    feedAndAwaitRead(run(1, new Await("stop-started", "stop-release")));
    await("stop-started");
    feedAndAwaitRead(new Frame.Stop());
    assertNull(events.peek(), "stopped while a task ran");
    latch("stop-release").countDown();
    assertEquals("released", doneValue(1));
    assertSame(STOPPED, next());
  }

  @Test
  void stopWhileIdleStopsAtOnce() throws Exception {
    feed.add(run(1, new Value("idle-stop")));
    assertEquals("idle-stop", doneValue(1));
    feed.add(new Frame.Stop());
    assertSame(STOPPED, next());
  }

  @Test
  void aTaskThatInterruptsItselfLeavesNoInterruptForTheNextRead() throws Exception {
    feed.add(run(1, new SelfInterrupt()));
    assertEquals("interrupted myself", doneValue(1));
    feed.add(run(2, new Value("after-self-interrupt")));
    assertEquals("after-self-interrupt", doneValue(2));
    feedAndAwaitRead(run(3, new Value("third")));
    assertEquals("third", doneValue(3));
    assertFalse(readWhileInterrupted, "a thread read while interrupted");
  }

  @Test
  void aTaskThatAsksReportsItsStartBeforeItsAnswer() throws Exception {
    feed.add(run(1, new Value("reported"), true));
    assertEquals(1, assertInstanceOf(Frame.Started.class, next()).id());
    assertEquals("reported", doneValue(1));
  }

  @Test
  void anUncheckedFaultEndsTheLoopAsALostConnection_neitherThreadIsLeftWaiting() throws Exception {
    feed.add(FAULT);
    assertSame(EOF, next());
    IOException cause = assertInstanceOf(IOException.class, lost.get());
    assertInstanceOf(IllegalStateException.class, cause.getCause());
    for (Thread t : threads) { // the other thread was waiting for the reading role
      t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      assertFalse(t.isAlive(), t + " is still waiting");
    }
  }

  @Test
  void theEndOfTheStreamEndsTheLoop() throws Exception {
    feed.add(EOF);
    assertSame(EOF, next());
    assertSame(EOF, lost.get());
  }

  @Test
  void resultsSwitchToForyOnlyOnceTheParentSaysItReadsFory() throws Exception {
    codec.switchOnlyWhenPeerReads(); // as WorkerMain does
    codec.prepareFory(); // built now: only the parent's word is missing
    byte javaTag = -1;
    for (int i = 1; i <= 30; i++) { // well past the uses after which a codec may switch
      feed.add(run(i, new MakePair("p", i)));
      Frame.Done d = assertInstanceOf(Frame.Done.class, next());
      assertEquals(new Pair("p", i), codec.decode(d.payload()));
      if (i == 1) {
        javaTag = d.payload().tag();
      }
      assertEquals(javaTag, d.payload().tag(), "result " + i + " changed form before the parent said it reads Fory");
    }
    assertFalse(codec.writesFory());
    feedAndAwaitRead(new Frame.ForyReady());
    feed.add(run(100, new MakePair("after", 100)));
    Frame.Done d = assertInstanceOf(Frame.Done.class, next());
    assertEquals(new Pair("after", 100), codec.decode(d.payload()));
    assertTrue(codec.writesFory(), "the parent's ForyReady did not open the switch");
    assertTrue(d.payload().tag() != javaTag, "the result after the parent's word is still in Java's form");
  }
}
