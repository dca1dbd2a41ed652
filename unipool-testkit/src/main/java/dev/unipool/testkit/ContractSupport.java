package dev.unipool.testkit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.MapOptions;
import dev.unipool.Pool;
import dev.unipool.PoolStats;
import dev.unipool.ProgressListener;
import dev.unipool.SerializableCallable;
import dev.unipool.TaskFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * What the contract interfaces share: waits, task factories and recorders. Static, so that a task lambda
 * never captures a test instance (it must serialize on its own to reach a worker JVM).
 */
final class ContractSupport {
  /** How long tests wait for anything that should happen promptly. */
  static final Duration PATIENCE = Duration.ofSeconds(30);

  /** Tests that occupy every worker run only on backends with at most this parallelism. */
  static final int MAX_FILLABLE = 8;

  static final long WAIT_SECONDS = PATIENCE.toSeconds();
  static final Duration SHORT = Duration.ofMillis(200);
  /** Automatic chunks (0), one item per chunk, and a size that divides no input length used here. */
  static final int[] CHUNK_SIZES = {0, 1, 7};

  private ContractSupport() {}

  /**
   * Polls {@code p.stats()} until {@code ready} accepts it (counters settle a moment after the futures
   * complete: a worker counts a cancelled task when it returns); fails after {@link #PATIENCE}.
   */
  static PoolStats awaitStats(Pool p, Predicate<PoolStats> ready, String what) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    PoolStats s = p.stats();
    while (!ready.test(s)) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("waited " + PATIENCE.toSeconds() + " s for " + what + "; last stats:\n" + s.table());
      }
      Thread.sleep(5);
      s = p.stats();
    }
    return s;
  }

  static <T> T present(@Nullable T value, String what) {
    if (value == null) {
      throw new AssertionError(what + " is missing");
    }
    return value;
  }

  static <T> T get(Future<T> f) throws Exception {
    return f.get(WAIT_SECONDS, SECONDS);
  }

  static void awaitDone(Future<?> f) throws Exception {
    try {
      f.get(WAIT_SECONDS, SECONDS);
    } catch (ExecutionException | CancellationException e) {
      // done either way
    }
  }

  /** The cause of the {@link ExecutionException} the failed future throws. */
  static Throwable failureOf(Future<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT_SECONDS, SECONDS));
    Throwable cause = e.getCause();
    assertNotNull(cause, "ExecutionException without cause");
    return cause;
  }

  /** Waits (bounded) until {@code t} parks; a submitter that never parks is caught by the caller's check. */
  static void awaitParked(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      Thread.State s = t.getState();
      if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.TERMINATED) {
        return;
      }
      Thread.sleep(1);
    }
  }

  static String chunkName(int chunk) {
    return chunk == 0 ? "automatic chunks" : "chunk size " + chunk;
  }

  static MapOptions chunking(int chunk) {
    return chunk == 0 ? MapOptions.auto() : MapOptions.chunkSize(chunk);
  }

  static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  static int failOn13(int x) {
    if (x == 13) {
      throw new IllegalStateException("bad item " + x);
    }
    return x;
  }

  static void assertBadItem13(CompletionException e) {
    IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
    assertEquals("bad item 13", cause.getMessage());
  }

  static void failingAction(String message) {
    throw new ContractException(message, 0);
  }

  static void doNothing() {}

  static Callable<String> constant(String value) {
    SerializableCallable<String> task = () -> value;
    return task;
  }

  /** A task that fires {@code ran} and returns {@code value}. */
  static Callable<String> firing(FileSignal ran, String value) {
    SerializableCallable<String> task = () -> {
      ran.fire();
      return value;
    };
    return task;
  }

  static Callable<String> failing(String message) {
    SerializableCallable<String> task = () -> {
      throw new ContractException(message, 0);
    };
    return task;
  }

  /** Runs in a task: fires {@code started}, sleeps until interrupted, then fires {@code interrupted}. */
  static int holdUntilInterrupted(FileSignal started, FileSignal interrupted) {
    started.fire();
    try {
      Thread.sleep(HeldTask.HOLD_LIMIT);
    } catch (InterruptedException e) {
      interrupted.fire();
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted as expected");
    }
    throw new IllegalStateException("not interrupted within " + HeldTask.HOLD_LIMIT);
  }

  @SuppressWarnings({"NullAway", "TypeParameterUnusedInFormals"}) // deliberately null, to test null checks
  static <T> T nullValue() {
    return null;
  }

  /** Records what a map reports, and checks it was called on the consuming thread only. */
  static final class RecordingProgress implements ProgressListener {
    private final Thread consumer = Thread.currentThread();
    private final List<long[]> calls = new ArrayList<>();
    private final List<long[]> finishes = new ArrayList<>();
    private final List<String> strangers = new ArrayList<>();

    @Override
    public synchronized void onProgress(long done, long total) {
      note();
      calls.add(new long[] {done, total});
    }

    @Override
    public synchronized void onFinish(long done, long total, boolean completed) {
      note();
      finishes.add(new long[] {done, total, completed ? 1 : 0});
    }

    private void note() {
      if (Thread.currentThread() != consumer) {
        strangers.add(Thread.currentThread().getName());
      }
    }

    synchronized List<Long> totals() {
      return calls.stream().map(c -> c[1]).distinct().toList();
    }

    /** Counts never decrease; the first is 0; with {@code end >= 0} the last is {@code end}, finished once. */
    synchronized void assertMonotone(long end, boolean completed) {
      String seen = calls.stream().map(c -> c[0] + "/" + c[1]).toList().toString();
      assertTrue(strangers.isEmpty(), () -> "called on other threads: " + strangers);
      assertFalse(calls.isEmpty(), "never called");
      assertEquals(0, calls.getFirst()[0], () -> "the first report is the start: " + seen);
      for (int i = 1; i < calls.size(); i++) {
        assertTrue(calls.get(i)[0] >= calls.get(i - 1)[0], () -> "went back: " + seen);
      }
      for (long[] c : calls) {
        assertTrue(c[1] < 0 || c[0] <= c[1], () -> "more done than the total: " + seen);
      }
      if (end >= 0) {
        assertEquals(end, calls.getLast()[0], () -> "last report: " + seen);
        assertEquals(end, calls.getLast()[1], () -> "last total: " + seen);
      }
      assertEquals(1, finishes.size(), "onFinish calls");
      assertEquals(completed ? 1 : 0, finishes.getFirst()[2], "completed");
      assertEquals(calls.getLast()[0], finishes.getFirst()[0], "onFinish repeats the last count");
    }
  }

  /** The natural numbers, counting how many were read. Read only by the consuming thread. */
  static final class CountingIterable implements Iterable<Integer> {
    private final AtomicInteger read = new AtomicInteger();

    int read() {
      return read.get();
    }

    @Override
    public Iterator<Integer> iterator() {
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return true;
        }

        @Override
        public Integer next() {
          return read.getAndIncrement();
        }
      };
    }
  }

  /** A submit of {@code () -> 43} on another thread, and that thread, once it is parked on the full queue. */
  record BlockedSubmit(CompletableFuture<TaskFuture<Integer>> result, Thread submitter) {
    boolean isDone() {
      return result.isDone();
    }

    TaskFuture<Integer> get(long timeout, TimeUnit unit) throws Exception {
      return result.get(timeout, unit);
    }
  }

  static BlockedSubmit submitUntilBlocked(Pool p) throws InterruptedException {
    CompletableFuture<TaskFuture<Integer>> result = new CompletableFuture<>();
    Thread submitter = Thread.ofPlatform().name("contract-submitter").start(() -> {
      try {
        result.complete(p.submit(() -> 43));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    awaitParked(submitter);
    return new BlockedSubmit(result, submitter);
  }
}
