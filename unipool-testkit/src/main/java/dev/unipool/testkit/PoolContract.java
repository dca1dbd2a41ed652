package dev.unipool.testkit;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.unipool.Backend;
import dev.unipool.DeadlineExceededException;
import dev.unipool.Futures;
import dev.unipool.MapOptions;
import dev.unipool.Overflow;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.PoolStats;
import dev.unipool.ProgressListener;
import dev.unipool.SerializableCallable;
import dev.unipool.SerializableRunnable;
import dev.unipool.TaskFuture;
import dev.unipool.TaskGroup;
import dev.unipool.TaskGroupException;
import dev.unipool.TaskOptions;
import dev.unipool.TaskTimeoutException;
import dev.unipool.TaskTimings;
import dev.unipool.WaitMode;
import dev.unipool.WaitResult;
import dev.unipool.Worker;
import dev.unipool.WorkerCrashedException;
import dev.unipool.WorkerInfo;
import dev.unipool.WorkerStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link Backend} must keep, as one abstract JUnit 5 class: a backend module adds a
 * subclass that names its backend, and gets the whole suite.
 *
 * <pre>{@code
 * class ThreadsPoolTest extends PoolContract {
 *   @Override protected Backend backend() { return Backend.threads(4); }
 * }
 * }</pre>
 *
 * <p>Every task here is serializable and shares no memory with the test, so the suite runs unchanged on
 * backends whose workers are other JVMs: results come back through futures, and tests and tasks meet
 * through {@link FileSignal}s in a temporary directory (a {@link HeldTask} holds a worker until released).
 * Nothing asserts how long anything takes; waits are bounded and generous so a broken backend fails
 * rather than hangs. Each test gets a fresh pool (see {@link #pool()}), shut down after the test; so that
 * the suite stays fast on backends with slow-starting workers, tests are few and each checks a whole
 * behaviour (the map family, for example, loops over chunk sizes inside one test).
 *
 * <p>Tests that need a task to be running while the test thread acts assume {@link #runsConcurrently()};
 * tests that need every worker busy also assume the backend's parallelism is at most
 * {@link #MAX_FILLABLE}.
 */
@Timeout(value = 60, unit = SECONDS)
public abstract class PoolContract {
  /** How long tests wait for anything that should happen promptly. */
  protected static final Duration PATIENCE = Duration.ofSeconds(30);

  /** Tests that occupy every worker run only on backends with at most this parallelism. */
  protected static final int MAX_FILLABLE = 8;

  private static final long WAIT_SECONDS = PATIENCE.toSeconds();
  private static final Duration SHORT = Duration.ofMillis(200);
  /** Automatic chunks (0), one item per chunk, and a size that divides no input length used here. */
  private static final int[] CHUNK_SIZES = {0, 1, 7};

  private final List<Pool> pools = new ArrayList<>();
  private @Nullable Pool pool;
  private @Nullable Path dir;

  /** For subclasses. */
  protected PoolContract() {}

  // ---- hooks ----

  /**
   * The backend under test.
   *
   * @return the backend every test's pool is created with
   */
  protected abstract Backend backend();

  /**
   * The options every test's pool starts from; tests that need other settings derive theirs from these.
   *
   * @return the options, {@link PoolOptions#defaults()} unless overridden
   */
  protected PoolOptions options() {
    return PoolOptions.defaults();
  }

  /**
   * Whether a submitted task can run while the submitting thread goes on. False for a backend that runs
   * each task inside {@code submit} (inline); tests that need a running task then skip.
   *
   * @return true unless overridden
   */
  protected boolean runsConcurrently() {
    return true;
  }

  /**
   * Whether each worker is an operating-system process of its own (worker JVMs, cluster members), whose
   * resident memory {@link WorkerStats#rssBytes()} reports; in-process workers report this JVM's pid and -1.
   *
   * @return false unless overridden
   */
  protected boolean workersAreProcesses() {
    return false;
  }

  /**
   * Whether a task may end its worker's JVM ({@code Runtime.halt}) and the pool replaces the worker. Only
   * for backends whose workers are processes the pool starts: on any other, such a task would end the test
   * JVM or a shared cluster member.
   *
   * @return false unless overridden
   */
  protected boolean replacesCrashedWorkers() {
    return false;
  }

  // ---- fixture ----

  @BeforeEach
  final void setUpTempDir(@TempDir Path tempDir) {
    this.dir = tempDir;
  }

  @AfterEach
  final void closePools() throws InterruptedException {
    List<Pool> open;
    synchronized (this) { // not held while waiting: a task still running may call pool()
      open = List.copyOf(pools);
      pools.clear();
      pool = null;
    }
    for (Pool p : open) {
      p.shutdownNow();
    }
    for (Pool p : open) {
      assertTrue(p.awaitTermination(WAIT_SECONDS, SECONDS), () -> p + " did not terminate after shutdownNow");
    }
  }

  /**
   * The pool of the current test, created on first use with {@link #backend()} and {@link #options()}.
   * Thread-safe: tests call it from several submitting threads at once.
   *
   * @return the pool
   */
  protected final synchronized Pool pool() {
    Pool p = pool;
    if (p == null) {
      p = newPool(options()); // opened on first use: tests that need other options never start it
      pool = p;
    }
    return p;
  }

  /**
   * Opens another pool on {@link #backend()}, shut down after the test.
   *
   * @param options its options, normally derived from {@link #options()}
   * @return the running pool
   */
  protected final synchronized Pool newPool(PoolOptions options) {
    Pool p = Pool.of(backend(), options);
    pools.add(p);
    return p;
  }

  /**
   * A new unfired signal in the test's temporary directory.
   *
   * @return the signal
   */
  protected final FileSignal newSignal() {
    return FileSignal.in(tempDir());
  }

  /**
   * A new task that holds its worker until released, with signals in the test's temporary directory.
   *
   * @return the task
   */
  protected final HeldTask newHeldTask() {
    return HeldTask.in(tempDir());
  }

  private Path tempDir() {
    Path d = dir;
    if (d == null) {
      throw new IllegalStateException("no test is running");
    }
    return d;
  }

  // ---- submit and results ----

  @Test
  void submit_callable_returnsItsResult() throws Exception {
    int base = 40;
    TaskFuture<String> f = pool().submit(() -> "answer " + (base + 2));
    assertEquals("answer 42", get(f));
    assertTrue(f.isDone());
    assertEquals(Future.State.SUCCESS, f.state());
    assertEquals("answer 42", f.join());
    assertEquals("answer 42", f.resultNow());
  }

  @Test
  @SuppressWarnings("NullAway") // the API's type parameters have no @Nullable bound; null results still work
  void submit_callableReturningNull_completesWithNull() throws Exception {
    TaskFuture<String> f = pool().submit(() -> null);
    assertNull(get(f));
    assertEquals(Future.State.SUCCESS, f.state());
  }

  @Test
  void submit_callable_returnsCollectionsArraysAndRecords() throws Exception {
    TaskFuture<List<Integer>> list = pool().submit(() -> List.of(1, 2, 3));
    TaskFuture<int[]> array = pool().submit(() -> new int[] {4, 5, 6});
    TaskFuture<FileSignal> record = pool().submit(() -> new FileSignal("/made/in/a/task"));
    assertEquals(List.of(1, 2, 3), get(list));
    assertArrayEquals(new int[] {4, 5, 6}, get(array));
    assertEquals(new FileSignal("/made/in/a/task"), get(record));
  }

  @Test
  void submit_runnable_runsAndCompletesWithNull() throws Exception {
    FileSignal ran = newSignal();
    TaskFuture<?> f = pool().submit(() -> ran.fire());
    assertNull(get(f));
    assertTrue(ran.isFired());
  }

  @Test
  void submit_runnableWithResult_completesWithThatResult() throws Exception {
    FileSignal ran = newSignal();
    SerializableRunnable action = ran::fire; // submit(Runnable, T) has no serializable overload
    TaskFuture<String> f = pool().submit(action, "done");
    assertEquals("done", get(f));
    assertTrue(ran.isFired());
  }

  @Test
  void submit_withTaskOptions_runsTheTask() throws Exception {
    FileSignal ran = newSignal();
    assertEquals(7, get(pool().submit(() -> 7, TaskOptions.none())));
    assertEquals(8, get(pool().submit(() -> 8, TaskOptions.timeout(PATIENCE))));
    assertNull(get(pool().submit(() -> ran.fire(), TaskOptions.none())));
    assertTrue(ran.isFired());
  }

  @Test
  void submit_valuesCapturedByTheTask_reachTheTask() throws Exception {
    String text = "captured";
    List<Integer> numbers = List.of(1, 2, 3);
    long big = 1L << 40;
    TaskFuture<String> f = pool().submit(() -> text + numbers.stream().mapToInt(Integer::intValue).sum() + big);
    assertEquals("captured6" + (1L << 40), get(f));
  }

  @Test
  void toCompletableFuture_isADependentCopy() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held);
    CompletableFuture<String> copy = f.toCompletableFuture();
    assertTrue(copy.complete("not the task's result"));
    assertFalse(f.isDone(), "completing the copy completed the task");
    held.release().fire();
    assertEquals(HeldTask.RELEASED, get(f));
    assertEquals(HeldTask.RELEASED, get(f.toCompletableFuture()));
  }

  // ---- failures ----

  @Test
  void taskException_keepsTypeMessageAndCause() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new IllegalStateException("boom", new IOException("disk full"));
    });
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT_SECONDS, SECONDS));
    IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
    assertEquals("boom", cause.getMessage());
    IOException root = assertInstanceOf(IOException.class, cause.getCause());
    assertEquals("disk full", root.getMessage());
    assertEquals(Future.State.FAILED, f.state());
    assertFalse(f.isCancelled());
    assertInstanceOf(IllegalStateException.class, f.exceptionNow());
  }

  @Test
  void customException_keepsTypeMessageFieldsAndCause() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new ContractException("custom failure", 42, new ContractException("inner", 7));
    });
    ContractException e = assertInstanceOf(ContractException.class, failureOf(f));
    assertEquals("custom failure", e.getMessage());
    assertEquals(42, e.code());
    ContractException inner = assertInstanceOf(ContractException.class, e.getCause());
    assertEquals("inner", inner.getMessage());
    assertEquals(7, inner.code());
  }

  @Test
  void checkedException_isTheCauseOfExecutionException() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new IOException("checked");
    });
    IOException e = assertInstanceOf(IOException.class, failureOf(f));
    assertEquals("checked", e.getMessage());
  }

  @Test
  void error_isReportedLikeAnException() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new AssertionError("assertion in task");
    });
    AssertionError e = assertInstanceOf(AssertionError.class, failureOf(f));
    assertEquals("assertion in task", e.getMessage());
  }

  @Test
  void runnableException_isTheCauseOfExecutionException() throws Exception {
    TaskFuture<?> f = pool().submit(() -> failingAction("runnable failed"));
    ContractException e = assertInstanceOf(ContractException.class, failureOf(f));
    assertEquals("runnable failed", e.getMessage());
  }

  @Test
  void taskException_join_throwsCompletionExceptionWithTheCause() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new UnsupportedOperationException("no join for you");
    });
    awaitDone(f);
    CompletionException e = assertThrows(CompletionException.class, f::join);
    UnsupportedOperationException cause = assertInstanceOf(UnsupportedOperationException.class, e.getCause());
    assertEquals("no join for you", cause.getMessage());
  }

  @Test
  void taskException_reachesDependentStagesAsTheOriginal() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new IllegalArgumentException("for handle");
    });
    Throwable seen = f.handle((v, e) -> e).toCompletableFuture().get(WAIT_SECONDS, SECONDS);
    IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, seen);
    assertEquals("for handle", e.getMessage());
  }

  @Test
  void taskFailure_leavesThePoolUsable() throws Exception {
    for (int i = 0; i < 3; i++) {
      int n = i;
      TaskFuture<Integer> bad = pool().submit(() -> {
        throw new ContractException("failure " + n, n);
      });
      assertEquals(n, assertInstanceOf(ContractException.class, failureOf(bad)).code());
      assertEquals(n, get(pool().submit(() -> n)));
    }
  }

  // ---- worker and timings ----

  @Test
  void worker_afterCompletion_isTheWorkerThatRanTheTask() throws Exception {
    TaskFuture<WorkerInfo> f = pool().submit(() -> Worker.current());
    WorkerInfo inside = get(f);
    WorkerInfo reported = f.worker().orElseThrow(() -> new AssertionError("no worker after completion"));
    assertEquals(inside.pid(), reported.pid(), "pid");
    assertEquals(inside.name(), reported.name(), "name");
  }

  @Test
  void worker_ofFailedTask_isPresent() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new ContractException("failed", 1);
    });
    awaitDone(f);
    assertTrue(f.worker().isPresent(), "a task that ran and failed names its worker");
  }

  @Test
  void timings_afterCompletion_areOrdered() throws Exception {
    Pool timed = newPool(options().timings(true));
    TaskFuture<Integer> ok = timed.submit(() -> 1);
    TaskFuture<Integer> failed = timed.submit(() -> {
      throw new ContractException("failed", 1);
    });
    get(ok);
    awaitDone(failed);
    for (TaskFuture<Integer> f : List.of(ok, failed)) {
      TaskTimings t = f.timings();
      Instant started = present(t.started(), "started");
      Instant finished = present(t.finished(), "finished");
      Instant submitted = present(t.submitted(), "submitted");
      assertFalse(started.isBefore(submitted), () -> "started before submitted: " + t);
      assertFalse(finished.isBefore(started), () -> "finished before started: " + t);
      assertFalse(t.queued().orElseThrow().isNegative());
      assertFalse(t.ran().orElseThrow().isNegative());
    }
  }

  // ---- map family ----

  @Test
  void map_returnsResultsInInputOrder() {
    List<Integer> in = range(0, 100);
    List<Integer> squares = in.stream().map(x -> x * x).toList();
    for (int chunk : CHUNK_SIZES) {
      assertEquals(squares, pool().map(x -> x * x, in, chunking(chunk)), chunkName(chunk));
    }
  }

  @Test
  @SuppressWarnings("NullAway") // the API's type parameters have no @Nullable bound; null results still work
  void map_functionReturningNull_yieldsNullInItsPlace() {
    List<Integer> got = pool().map(x -> x % 2 == 0 ? null : x, range(0, 6), MapOptions.chunkSize(1));
    assertEquals(Arrays.asList(null, 1, null, 3, null, 5), got);
  }

  @Test
  void map_withDefaultOptions_returnsResultsInInputOrder() {
    List<String> in = List.of("a", "bb", "ccc", "dddd", "eeeee");
    assertEquals(List.of(1, 2, 3, 4, 5), pool().map(String::length, in));
  }

  @Test
  void starmap_appliesEachPairInInputOrder() {
    List<Map.Entry<Integer, Integer>> pairs = range(0, 50).stream().map(i -> Map.entry(i, i + 1)).toList();
    List<Integer> expected = pairs.stream().map(p -> p.getKey() * p.getValue()).toList();
    for (int chunk : CHUNK_SIZES) {
      List<Integer> got = pool().starmap((Integer a, Integer b) -> a * b, pairs, chunking(chunk));
      assertEquals(expected, got, chunkName(chunk));
    }
  }

  @Test
  void starmap_withDefaultOptions_acceptsAMapsEntries() {
    Map<String, Integer> repeats = Map.of("ab", 2, "c", 3);
    List<String> got = pool().starmap((String s, Integer n) -> s.repeat(n), repeats.entrySet());
    List<String> expected = repeats.entrySet().stream().map(e -> e.getKey().repeat(e.getValue())).toList();
    assertEquals(expected, got);
  }

  @Test
  void imap_yieldsResultsInInputOrder() {
    List<Integer> in = range(0, 100);
    for (int chunk : CHUNK_SIZES) {
      try (Stream<Integer> s = pool().imap(x -> x * 2, in, chunking(chunk))) {
        assertEquals(in.stream().map(x -> x * 2).toList(), s.toList(), chunkName(chunk));
      }
    }
  }

  @Test
  void imapUnordered_yieldsEveryResultOnce() {
    List<Integer> in = range(0, 100);
    for (int chunk : CHUNK_SIZES) {
      try (Stream<Integer> s = pool().imapUnordered(x -> x * 3, in, chunking(chunk))) {
        List<Integer> got = new ArrayList<>(s.toList());
        Collections.sort(got);
        assertEquals(in.stream().map(x -> x * 3).toList(), got, chunkName(chunk));
      }
    }
  }

  @Test
  void mapFamily_emptyInput_yieldsNothing() {
    List<Integer> none = List.of();
    assertEquals(List.of(), pool().map(x -> x + 1, none));
    assertEquals(List.of(), pool().map(x -> x + 1, none, MapOptions.chunkSize(7)));
    assertEquals(List.of(), pool().starmap((Integer a, Integer b) -> a + b, List.<Map.Entry<Integer, Integer>>of()));
    try (Stream<Integer> s = pool().imap(x -> x + 1, none)) {
      assertEquals(List.of(), s.toList());
    }
    try (Stream<Integer> s = pool().imapUnordered(x -> x + 1, none)) {
      assertEquals(List.of(), s.toList());
    }
    try (Stream<Integer> s = pool().imap(x -> x + 1, Stream.<Integer>empty())) {
      assertEquals(List.of(), s.toList());
    }
  }

  @Test
  void imap_infiniteInput_isReadLazily() {
    for (int chunk : CHUNK_SIZES) {
      CountingIterable naturals = new CountingIterable();
      MapOptions options = chunking(chunk).withMaxInFlight(4);
      try (Stream<Integer> s = pool().imap(x -> x + 1, naturals, options)) {
        assertEquals(range(1, 51), s.limit(50).toList(), chunkName(chunk));
      }
      if (chunk > 0) {
        // consumed + a chunk being consumed + the window of chunks in flight
        assertTrue(naturals.read() <= 50 + chunk * 5, () -> "read " + naturals.read() + " items to yield 50");
      }
    }
  }

  @Test
  void imapUnordered_infiniteInput_isReadLazily() {
    for (int chunk : CHUNK_SIZES) {
      CountingIterable naturals = new CountingIterable();
      MapOptions options = chunking(chunk).withMaxInFlight(4);
      try (Stream<Integer> s = pool().imapUnordered(x -> -x, naturals, options)) {
        List<Integer> got = s.limit(50).toList();
        assertEquals(50, Set.copyOf(got).size(), () -> chunkName(chunk) + ", not distinct: " + got);
        assertTrue(got.stream().allMatch(x -> x <= 0), () -> chunkName(chunk) + ", not results: " + got);
      }
      if (chunk > 0) {
        assertTrue(naturals.read() <= 50 + chunk * 5, () -> "read " + naturals.read() + " items to yield 50");
      }
    }
  }

  @Test
  void imap_infiniteStream_terminatesAndClosesTheSource() {
    AtomicBoolean closed = new AtomicBoolean();
    Stream<Integer> naturals = Stream.iterate(0, i -> i + 1).onClose(() -> closed.set(true));
    try (Stream<Integer> s = pool().imap(x -> x * x, naturals)) {
      assertEquals(range(0, 30).stream().map(x -> x * x).toList(), s.limit(30).toList());
    }
    assertTrue(closed.get(), "closing the result closes the input stream");

    try (Stream<Integer> s = pool().imapUnordered(x -> x * x, Stream.iterate(0, i -> i + 1))) {
      assertEquals(30, s.limit(30).distinct().count());
    }
  }

  @Test
  void map_itemFails_throwsCompletionExceptionWithTheCause() throws Exception {
    List<Integer> in = range(0, 40);
    for (int chunk : CHUNK_SIZES) {
      CompletionException e =
          assertThrows(CompletionException.class, () -> pool().map(x -> failOn13(x), in, chunking(chunk)));
      assertBadItem13(e);
      assertEquals(5, get(pool().submit(() -> 5)), "the pool still works after a failed map");
    }
  }

  @Test
  void imap_itemFails_yieldsEarlierResultsThenThrows() {
    List<Integer> in = range(0, 40);
    for (int chunk : CHUNK_SIZES) {
      List<Integer> got = new ArrayList<>();
      try (Stream<Integer> s = pool().imap(x -> failOn13(x), in, chunking(chunk))) {
        Iterator<Integer> it = s.iterator();
        CompletionException e = assertThrows(CompletionException.class, () -> {
          while (it.hasNext()) {
            got.add(it.next());
          }
        }, chunkName(chunk));
        assertBadItem13(e);
      }
      assertTrue(got.size() <= 13, () -> chunkName(chunk) + ", yielded results past the failed item: " + got);
      assertEquals(range(0, got.size()), got, "results before the failure, in order");
    }
  }

  @Test
  void imapUnordered_itemFails_throwsCompletionExceptionWithTheCause() {
    List<Integer> in = range(0, 40);
    for (int chunk : CHUNK_SIZES) {
      try (Stream<Integer> s = pool().imapUnordered(x -> failOn13(x), in, chunking(chunk))) {
        assertBadItem13(assertThrows(CompletionException.class, s::toList, chunkName(chunk)));
      }
    }
  }

  @Test
  void imap_closedEarly_leavesThePoolUsable() throws Exception {
    try (Stream<Integer> s = pool().imap(x -> x + 100, range(0, 1000), MapOptions.chunkSize(1))) {
      Iterator<Integer> it = s.iterator();
      for (int i = 0; i < 3; i++) {
        assertEquals(100 + i, it.next());
      }
    }
    assertEquals(5, get(pool().submit(() -> 5)));
    assertEquals(List.of(1, 2), pool().map(x -> x + 1, List.of(0, 1)));
  }

  @Test
  void imap_closedEarly_cancelsChunksInFlight() throws Exception {
    assumeConcurrent();
    FileSignal heldStarted = newSignal();
    FileSignal heldInterrupted = newSignal();
    MapOptions options = MapOptions.chunkSize(1).withMaxInFlight(4);
    try (Stream<Integer> s =
        pool().imap(x -> x == 0 ? 0 : holdUntilInterrupted(heldStarted, heldInterrupted), range(0, 100), options)) {
      assertEquals(0, s.iterator().next());
      heldStarted.await(PATIENCE);
    }
    heldInterrupted.await(PATIENCE); // closing cancelled the running chunks with an interrupt
    assertEquals(5, get(pool().submit(() -> 5)), "workers are free again");
    pool().shutdown();
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS), "no chunk of the closed stream still runs");
  }

  @Test
  void map_withProgress_reportsAMonotoneCountEndingAtTheTotal() throws Exception {
    for (int chunk : CHUNK_SIZES) {
      RecordingProgress progress = new RecordingProgress();
      assertEquals(range(0, 200), pool().map(x -> x, range(0, 200), chunking(chunk).withProgress(progress)),
          chunkName(chunk));
      progress.assertMonotone(200, true);
      assertEquals(List.of(200L), progress.totals(), "the input is a list: its size is known from the start");
    }
  }

  @Test
  void imapUnordered_withProgress_learnsTheTotalAtTheEndOfTheInput() throws Exception {
    RecordingProgress progress = new RecordingProgress();
    Iterable<Integer> unsized = () -> range(0, 150).iterator(); // not a Collection: no size up front
    try (Stream<Integer> s = pool().imapUnordered(x -> x + 1, unsized, MapOptions.chunkSize(4).withProgress(progress))) {
      assertEquals(range(1, 151), s.sorted().toList());
    }
    progress.assertMonotone(150, true);
    assertEquals(150L, progress.totals().getLast(), "known once the input was read to its end");
    assertTrue(progress.totals().stream().allMatch(t -> t == -1 || t == 150), progress.totals()::toString);
  }

  @Test
  void map_withProgress_failingItem_finishesIncomplete() throws Exception {
    RecordingProgress progress = new RecordingProgress();
    CompletionException e = assertThrows(CompletionException.class,
        () -> pool().map(PoolContract::failOn13, range(0, 40), MapOptions.chunkSize(1).withProgress(progress)));
    assertBadItem13(e);
    progress.assertMonotone(-1, false);
  }

  // ---- asCompleted / await ----

  @Test
  void asCompleted_yieldsEveryFutureOnce() throws Exception {
    List<TaskFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = i;
      futures.add(pool().submit(() -> n));
    }
    Set<TaskFuture<Integer>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Integer> values = new ArrayList<>();
    for (TaskFuture<Integer> f : Futures.asCompleted(futures)) {
      assertTrue(f.isDone(), "yielded before done");
      assertTrue(seen.add(f), "yielded twice");
      values.add(f.resultNow());
    }
    assertEquals(10, seen.size());
    Collections.sort(values);
    assertEquals(range(0, 10), values);
  }

  @Test
  void asCompleted_eachIteratorIsANewPass() throws Exception {
    List<TaskFuture<Integer>> futures = List.of(pool().submit(() -> 1), pool().submit(() -> 2));
    Iterable<TaskFuture<Integer>> completed = Futures.asCompleted(futures);
    for (int pass = 0; pass < 2; pass++) {
      int sum = 0;
      for (TaskFuture<Integer> f : completed) {
        sum += f.resultNow();
      }
      assertEquals(3, sum, "pass " + pass);
    }
    assertFalse(Futures.asCompleted(List.<TaskFuture<Integer>>of()).iterator().hasNext());
    WaitResult<TaskFuture<Integer>> none = Futures.await(List.of(), WaitMode.ALL_COMPLETED);
    assertEquals(List.of(), none.done());
  }

  @Test
  void asCompleted_yieldsInCompletionOrder() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> fast = pool().submit(() -> "fast"); // first, so it runs even on one worker
    TaskFuture<String> slow = pool().submit(held);
    Iterator<TaskFuture<String>> it = Futures.asCompleted(List.of(slow, fast)).iterator();
    assertTrue(it.hasNext());
    assertSame(fast, it.next());
    assertFalse(slow.isDone());
    held.release().fire();
    assertTrue(it.hasNext());
    assertSame(slow, it.next());
    assertEquals(HeldTask.RELEASED, slow.resultNow());
    assertFalse(it.hasNext());
  }

  @Test
  void asCompleted_withTimeout_throwsDeadlineExceeded() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> done = pool().submit(() -> "done");
    get(done);
    TaskFuture<String> slow = pool().submit(held);
    Iterator<TaskFuture<String>> it = Futures.asCompleted(List.of(slow, done), SHORT).iterator();
    assertSame(done, it.next());
    DeadlineExceededException e = assertThrows(DeadlineExceededException.class, it::next);
    assertEquals(SHORT, e.timeout());
    assertFalse(slow.isDone(), "the deadline does not affect the futures");
    held.release().fire();
    assertEquals(HeldTask.RELEASED, get(slow));
  }

  @Test
  void asCompleted_withZeroTimeout_yieldsFuturesAlreadyDone() throws Exception {
    List<TaskFuture<Integer>> futures = List.of(pool().submit(() -> 1), pool().submit(() -> 2));
    for (TaskFuture<Integer> f : futures) {
      get(f);
    }
    int count = 0;
    for (TaskFuture<Integer> f : Futures.asCompleted(futures, Duration.ZERO)) {
      assertTrue(f.isDone());
      count++;
    }
    assertEquals(2, count);
  }

  @Test
  void await_firstCompleted_returnsWhenOneIsDone() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> fast = pool().submit(() -> "fast");
    TaskFuture<String> slow = pool().submit(held);
    WaitResult<TaskFuture<String>> r = Futures.await(List.of(slow, fast), WaitMode.FIRST_COMPLETED);
    assertEquals(List.of(fast), r.done());
    assertEquals(List.of(slow), r.pending());
  }

  @Test
  void await_firstException_returnsOnTheFirstFailure() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> failing = pool().submit(() -> {
      throw new ContractException("first failure", 1);
    });
    TaskFuture<String> slow = pool().submit(held);
    WaitResult<TaskFuture<String>> r = Futures.await(List.of(slow, failing), WaitMode.FIRST_EXCEPTION);
    assertEquals(List.of(failing), r.done());
    assertEquals(List.of(slow), r.pending());
    assertInstanceOf(ContractException.class, failing.exceptionNow());
  }

  @Test
  void await_firstException_withoutFailures_waitsForAll() throws Exception {
    List<TaskFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      futures.add(pool().submit(() -> n));
    }
    WaitResult<TaskFuture<Integer>> r = Futures.await(futures, WaitMode.FIRST_EXCEPTION);
    assertEquals(futures, r.done());
    assertEquals(List.of(), r.pending());
  }

  @Test
  void await_allCompleted_waitsForEveryFuture() throws Exception {
    List<TaskFuture<String>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String s = "v" + i;
      futures.add(pool().submit(() -> s));
    }
    TaskFuture<String> failing = pool().submit(() -> {
      throw new ContractException("fails, still counts as completed", 1);
    });
    futures.add(failing);
    WaitResult<TaskFuture<String>> r = Futures.await(futures, WaitMode.ALL_COMPLETED);
    assertEquals(futures, r.done());
    assertEquals(List.of(), r.pending());
  }

  @Test
  void await_allCompleted_waitsForARunningTask() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> fast = pool().submit(() -> "fast");
    TaskFuture<String> slow = pool().submit(held);
    Thread releaser = Thread.ofVirtual().start(() -> {
      try {
        held.started().await(PATIENCE);
        held.release().fire();
      } catch (InterruptedException | TimeoutException e) {
        throw new IllegalStateException(e);
      }
    });
    WaitResult<TaskFuture<String>> r = Futures.await(List.of(slow, fast), WaitMode.ALL_COMPLETED, PATIENCE);
    assertEquals(List.of(slow, fast), r.done());
    assertEquals(HeldTask.RELEASED, slow.resultNow());
    assertTrue(releaser.join(PATIENCE));
  }

  @Test
  void await_withTimeout_reportsPendingFutures() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> fast = pool().submit(() -> "fast");
    get(fast);
    TaskFuture<String> slow = pool().submit(held);
    WaitResult<TaskFuture<String>> r = Futures.await(List.of(fast, slow), WaitMode.ALL_COMPLETED, SHORT);
    assertEquals(List.of(fast), r.done());
    assertEquals(List.of(slow), r.pending());
    assertFalse(slow.isDone(), "the timeout does not affect the futures");
  }

  // ---- timeouts ----

  @Test
  void taskTimeout_perTask_failsWithTaskTimeoutExceptionAndInterrupts() throws Exception {
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held, TaskOptions.timeout(SHORT));
    TaskTimeoutException e = assertInstanceOf(TaskTimeoutException.class, failureOf(f));
    assertEquals(SHORT, e.timeout());
    assertFalse(f.isCancelled(), "a timed-out task failed, it was not cancelled");
    held.interrupted().await(PATIENCE);
    assertFalse(get(pool().submit(() -> Thread.currentThread().isInterrupted())), "interrupt leaked");
    assertFalse(Thread.currentThread().isInterrupted(), "interrupt leaked into the submitting thread");
  }

  @Test
  void taskTimeout_poolDefault_appliesToEveryTask() throws Exception {
    Pool p = newPool(options().taskTimeout(SHORT));
    HeldTask held = newHeldTask();
    TaskFuture<String> f = p.submit(held);
    assertEquals(SHORT, assertInstanceOf(TaskTimeoutException.class, failureOf(f)).timeout());
    held.interrupted().await(PATIENCE);
    assertEquals(3, get(p.submit(() -> 3)));
  }

  @Test
  void taskTimeout_perTask_overridesPoolDefault() throws Exception {
    Pool p = newPool(options().taskTimeout(Duration.ofMinutes(10)));
    TaskFuture<String> f = p.submit(newHeldTask(), TaskOptions.timeout(SHORT));
    assertEquals(SHORT, assertInstanceOf(TaskTimeoutException.class, failureOf(f)).timeout());
  }

  @Test
  void taskTimeout_countsFromStart_notWhileQueued() throws Exception {
    Pool p = pool();
    int workers = assumeFillable(p);
    FileSignal release = newSignal();
    List<TaskFuture<String>> holders = occupy(p, workers, release);
    TaskFuture<Integer> queued = p.submit(() -> 1, TaskOptions.timeout(SHORT));
    Thread.sleep(SHORT.multipliedBy(3)); // the queued task is now older than its timeout, but has not started
    assertFalse(queued.isDone(), "a queued task timed out before it started");
    release.fire();
    assertEquals(1, get(queued));
    for (TaskFuture<String> h : holders) {
      assertEquals(HeldTask.RELEASED, get(h));
    }
  }

  // ---- cancel ----

  @Test
  void cancel_runningTask_interruptsItAndThePoolRunsTheNextTask() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held);
    held.started().await(PATIENCE);
    assertTrue(f.cancel(true));
    assertTrue(f.isCancelled());
    assertTrue(f.isDone());
    assertEquals(Future.State.CANCELLED, f.state());
    assertThrows(CancellationException.class, () -> f.get(WAIT_SECONDS, SECONDS));
    assertThrows(CancellationException.class, f::join);
    assertFalse(f.cancel(true), "cancelling twice");
    held.interrupted().await(PATIENCE);
    assertFalse(get(pool().submit(() -> Thread.currentThread().isInterrupted())), "interrupt leaked");
  }

  @Test
  void cancel_queuedTask_neverRuns() throws Exception {
    int workers = assumeFillable(pool());
    FileSignal release = newSignal();
    List<TaskFuture<String>> holders = occupy(pool(), workers, release);
    FileSignal ran = newSignal();
    TaskFuture<Integer> queued = pool().submit(() -> {
      ran.fire();
      return 1;
    });
    assertTrue(queued.cancel(true));
    assertTrue(queued.isCancelled());
    assertThrows(CancellationException.class, () -> queued.get(WAIT_SECONDS, SECONDS));
    assertTrue(queued.worker().isEmpty(), "a task cancelled before it started has no worker");
    assertNull(queued.timings().started());
    release.fire();
    for (TaskFuture<String> h : holders) {
      assertEquals(HeldTask.RELEASED, get(h));
    }
    assertEquals(2, get(pool().submit(() -> 2)));
    pool().shutdown();
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS));
    assertFalse(ran.isFired(), "the cancelled task ran");
  }

  @Test
  void cancel_completedTask_returnsFalseAndKeepsTheResult() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> 11);
    assertEquals(11, get(f));
    assertFalse(f.cancel(true));
    assertFalse(f.isCancelled());
    assertEquals(11, f.join());
  }

  @Test
  void get_withTimeout_onRunningTask_throwsTimeoutExceptionAndTheTaskGoesOn() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held);
    assertThrows(TimeoutException.class, () -> f.get(50, MILLISECONDS));
    assertFalse(f.isDone());
    held.release().fire();
    assertEquals(HeldTask.RELEASED, get(f));
  }

  // ---- shutdown ----

  @Test
  void submit_afterShutdown_isRejected() {
    Pool p = pool();
    p.shutdown();
    assertTrue(p.isShutdown());
    assertThrows(RejectedExecutionException.class, () -> p.submit(() -> 1));
    assertThrows(RejectedExecutionException.class, () -> p.submit(() -> 1, TaskOptions.none()));
    assertThrows(RejectedExecutionException.class, () -> p.submit(PoolContract::doNothing));
    SerializableRunnable action = PoolContract::doNothing;
    assertThrows(RejectedExecutionException.class, () -> p.submit(action, "x"));
    assertThrows(RejectedExecutionException.class, () -> p.execute(PoolContract::doNothing));
    assertThrows(RejectedExecutionException.class, () -> p.invokeAll(List.of(constant("x"))));
    assertThrows(RejectedExecutionException.class, () -> p.invokeAny(List.of(constant("x"))));
    assertThrows(RejectedExecutionException.class, () -> p.map(x -> x, List.of(1, 2)));
    assertThrows(RejectedExecutionException.class, () -> {
      try (Stream<Integer> s = p.imap(x -> x, List.of(1, 2))) {
        s.toList();
      }
    });
  }

  @Test
  void shutdown_letsSubmittedTasksComplete() throws Exception {
    List<TaskFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int n = i;
      futures.add(pool().submit(() -> n * n));
    }
    pool().shutdown();
    assertTrue(pool().isShutdown());
    for (int i = 0; i < 20; i++) {
      assertEquals(i * i, get(futures.get(i)));
    }
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS));
    assertTrue(pool().isTerminated());
  }

  @Test
  void shutdown_waitsForARunningTask() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held);
    held.started().await(PATIENCE);
    assertFalse(pool().awaitTermination(10, MILLISECONDS), "terminated while running and not shut down");
    pool().shutdown();
    assertFalse(pool().isTerminated());
    assertFalse(pool().awaitTermination(10, MILLISECONDS), "terminated while a task runs");
    held.release().fire();
    assertEquals(HeldTask.RELEASED, get(f));
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS));
    assertTrue(pool().isTerminated());
    assertFalse(held.interrupted().isFired(), "shutdown() interrupted a running task");
  }

  @Test
  void shutdownNow_returnsNeverStartedTasksCancelled() throws Exception {
    int workers = assumeFillable(pool());
    FileSignal release = newSignal();
    List<TaskFuture<String>> holders = occupy(pool(), workers, release);
    List<FileSignal> ran = new ArrayList<>();
    List<TaskFuture<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      FileSignal r = newSignal();
      ran.add(r);
      queued.add(pool().submit(() -> {
        r.fire();
        return 1;
      }));
    }
    List<Runnable> never = pool().shutdownNow();
    assertEquals(3, never.size(), () -> "never started: " + never);
    for (TaskFuture<Integer> q : queued) {
      assertTrue(q.isCancelled(), () -> "queued task not cancelled: " + q);
      assertThrows(CancellationException.class, q::join);
    }
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS));
    for (TaskFuture<String> h : holders) {
      assertTrue(h.isDone());
    }
    for (FileSignal r : ran) {
      assertFalse(r.isFired(), "a task returned by shutdownNow ran");
    }
  }

  @Test
  void shutdownNow_interruptsRunningTasks() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held);
    held.started().await(PATIENCE);
    pool().shutdownNow();
    held.interrupted().await(PATIENCE);
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS));
    assertTrue(pool().isTerminated());
    assertTrue(f.isDone(), "an interrupted task's future completes");
    assertThrows(RejectedExecutionException.class, () -> pool().submit(() -> 1));
  }

  @Test
  void close_waitsForRunningTasks() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held);
    held.started().await(PATIENCE);
    Pool p = pool();
    Thread closer = Thread.ofPlatform().name("contract-closer").start(p::close);
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!p.isShutdown() && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertTrue(p.isShutdown(), "close() did not shut down");
    assertFalse(f.isDone());
    held.release().fire();
    assertTrue(closer.join(PATIENCE), "close() did not return after the task finished");
    assertTrue(f.isDone(), "close() returned before the task finished");
    assertEquals(HeldTask.RELEASED, f.resultNow());
    assertTrue(p.isTerminated());
  }

  @Test
  void close_afterSubmitting_returnsWhenEveryTaskIsDone() {
    List<TaskFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = i;
      futures.add(pool().submit(() -> n + 1));
    }
    pool().close();
    for (int i = 0; i < 10; i++) {
      assertTrue(futures.get(i).isDone(), "close() returned before a task finished");
      assertEquals(i + 1, futures.get(i).resultNow());
    }
    assertTrue(pool().isTerminated());
  }

  @Test
  void shutdownAndClose_areIdempotent() throws Exception {
    Pool p = pool();
    assertEquals(1, get(p.submit(() -> 1)));
    p.shutdown();
    p.shutdown();
    assertEquals(List.of(), p.shutdownNow());
    assertEquals(List.of(), p.shutdownNow());
    p.close();
    p.close();
    assertTrue(p.isTerminated());
  }

  // ---- invokeAll / invokeAny ----

  @Test
  void invokeAll_returnsDoneFuturesInTaskOrder() throws Exception {
    List<Callable<String>> tasks = List.of(constant("a"), constant("b"), failing("c"), constant("d"));
    List<Future<String>> futures = pool().invokeAll(tasks);
    assertEquals(4, futures.size());
    for (Future<String> f : futures) {
      assertTrue(f.isDone());
    }
    assertEquals("a", futures.get(0).resultNow());
    assertEquals("b", futures.get(1).resultNow());
    assertEquals("c", assertInstanceOf(ContractException.class, futures.get(2).exceptionNow()).getMessage());
    assertEquals("d", futures.get(3).resultNow());
    assertEquals(List.of(), pool().invokeAll(List.<Callable<String>>of()));
  }

  @Test
  void invokeAll_withTimeout_cancelsUnfinishedTasks() throws Exception {
    assumeConcurrent();
    assertEquals("warm", get(pool().submit(() -> "warm")));
    List<Callable<String>> tasks = List.of(constant("fast"), newHeldTask());
    List<Future<String>> futures = pool().invokeAll(tasks, 1, SECONDS);
    assertEquals(2, futures.size());
    assertEquals("fast", futures.get(0).resultNow());
    assertTrue(futures.get(1).isCancelled(), "an unfinished task is cancelled at the timeout");
    assertEquals(3, get(pool().submit(() -> 3)), "the pool still runs tasks");
  }

  @Test
  void invokeAll_negativeTimeout_doesNotWait() throws Exception {
    assumeConcurrent();
    List<Future<String>> futures = pool().invokeAll(List.of(newHeldTask()), -1, SECONDS);
    assertTrue(futures.get(0).isCancelled(), "like the JDK's executors, a negative timeout means no waiting");
  }

  @Test
  void invokeAll_zeroOrNegativeTimeout_startsNoTask_andReturnsThemCancelled() throws Exception {
    for (long timeout : new long[] {0, -1, Long.MIN_VALUE}) {
      FileSignal ran = newSignal();
      List<Future<String>> futures = pool().invokeAll(List.of(firing(ran, "a"), firing(ran, "b")), timeout, NANOSECONDS);
      assertEquals(2, futures.size());
      for (Future<String> f : futures) {
        assertTrue(f.isCancelled(), () -> "timeout " + timeout + ": " + f.state());
      }
      assertEquals("after", get(pool().submit(() -> "after")), "the pool still runs tasks");
      assertFalse(ran.isFired(), "timeout " + timeout + ": a task started after the deadline had passed");
    }
  }

  @Test
  void awaitTermination_negativeOrMinTimeout_onARunningPool_returnsFalseWithoutWaiting() throws Exception {
    Pool p = pool();
    assertEquals(1, get(p.submit(() -> 1)));
    for (long timeout : new long[] {0, -1, Long.MIN_VALUE}) {
      // A deadline computed as now + Long.MIN_VALUE overflows into the far future: this would hang.
      assertFalse(p.awaitTermination(timeout, NANOSECONDS), "running, yet terminated");
    }
    assertFalse(p.awaitTermination(Long.MIN_VALUE, TimeUnit.DAYS));
    p.shutdown();
    assertTrue(p.awaitTermination(Long.MAX_VALUE, NANOSECONDS));
    assertTrue(p.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS));
    assertTrue(p.awaitTermination(Long.MIN_VALUE, NANOSECONDS), "terminated: no waiting needed");
  }

  @Test
  void hugeTimeouts_meanNoLimit_withoutOverflow() throws Exception {
    Duration forever = Duration.ofSeconds(Long.MAX_VALUE); // toNanos() would throw ArithmeticException
    TaskFuture<Integer> f = pool().submit(() -> 7);
    assertEquals(List.of(f), Futures.await(List.of(f), WaitMode.ALL_COMPLETED, forever).done());
    for (TaskFuture<Integer> done : Futures.asCompleted(List.of(f), forever)) {
      assertEquals(7, done.join());
    }
    assertEquals("x", pool().invokeAll(List.of(constant("x")), Long.MAX_VALUE, NANOSECONDS).getFirst().resultNow());
    assertEquals("y", pool().invokeAny(List.of(constant("y")), Long.MAX_VALUE, TimeUnit.DAYS));
    TaskFuture<Integer> part;
    try (TaskGroup group = TaskGroup.open(pool()).failAfter(forever)) {
      part = group.fork(() -> 8);
      group.join();
    }
    assertEquals(8, part.resultNow());
  }

  @Test
  void invokeAny_returnsAResultOfASuccessfulTask() throws Exception {
    List<Callable<String>> tasks = List.of(failing("x"), constant("ok"), failing("y"));
    assertEquals("ok", pool().invokeAny(tasks));
    assertEquals("ok", pool().invokeAny(tasks, WAIT_SECONDS, SECONDS));
  }

  @Test
  void invokeAny_allFail_throwsExecutionException() throws Exception {
    List<Callable<String>> tasks = List.of(failing("x"), failing("y"));
    ExecutionException e = assertThrows(ExecutionException.class, () -> pool().invokeAny(tasks));
    ContractException cause = assertInstanceOf(ContractException.class, e.getCause());
    assertTrue(Set.of("x", "y").contains(cause.getMessage()), cause::getMessage);
  }

  @Test
  void invokeAny_withTimeout_throwsTimeoutExceptionAndCancelsTheTasks() throws Exception {
    assumeConcurrent();
    assertThrows(TimeoutException.class, () -> pool().invokeAny(List.of(newHeldTask()), 100, MILLISECONDS));
    assertEquals(4, get(pool().submit(() -> 4)));
    pool().shutdown();
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS), "invokeAny left its task running");
  }

  @Test
  void invokeAny_cancelsTheOtherTasksOnceOneSucceeds() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    assertEquals("ok", pool().invokeAny(List.of(constant("ok"), held)));
    pool().shutdown();
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS), "invokeAny left a task running");
    assertFalse(held.release().isFired());
  }

  @Test
  void invokeAny_noTasks_isIllegal() {
    assertThrows(IllegalArgumentException.class, () -> pool().invokeAny(List.<Callable<String>>of()));
  }

  // ---- execute ----

  @Test
  void execute_failure_reachesTheUncaughtHandler() throws Exception {
    LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
    Pool p = newPool(options().uncaughtHandler(failures::add));
    FileSignal ran = newSignal();
    p.execute(() -> ran.fire());
    p.execute(() -> failingAction("from execute"));
    Throwable t = failures.poll(WAIT_SECONDS, SECONDS);
    ContractException e = assertInstanceOf(ContractException.class, t, "the handler got the task's exception");
    assertEquals("from execute", e.getMessage());
    p.shutdown();
    assertTrue(p.awaitTermination(WAIT_SECONDS, SECONDS));
    assertTrue(ran.isFired());
    assertEquals(List.of(), List.copyOf(failures), "only failures reach the handler, each once");
  }

  // ---- bounded queue ----

  @Test
  void queueReject_whenFull_rejectsSubmit() throws Exception {
    Pool p = newPool(options().queue(1, Overflow.REJECT));
    int workers = assumeFillable(p);
    FileSignal release = newSignal();
    List<TaskFuture<String>> holders = occupy(p, workers, release);
    TaskFuture<Integer> waiting = p.submit(() -> 42); // takes the only queue slot
    assertThrows(RejectedExecutionException.class, () -> p.submit(() -> 43));
    assertThrows(RejectedExecutionException.class, () -> p.execute(PoolContract::doNothing));
    release.fire();
    assertEquals(42, get(waiting));
    for (TaskFuture<String> h : holders) {
      assertEquals(HeldTask.RELEASED, get(h));
    }
    assertEquals(44, get(p.submit(() -> 44)), "a freed slot accepts tasks again");
  }

  @Test
  void queueBlock_whenFull_blocksTheSubmitterUntilASlotFrees() throws Exception {
    Pool p = newPool(options().queue(1, Overflow.BLOCK));
    int workers = assumeFillable(p);
    FileSignal release = newSignal();
    occupy(p, workers, release);
    TaskFuture<Integer> waiting = p.submit(() -> 42);
    BlockedSubmit blocked = submitUntilBlocked(p);
    assertFalse(blocked.isDone(), "submit returned although the queue is full");
    release.fire();
    assertEquals(42, get(waiting));
    assertEquals(43, get(blocked.get(WAIT_SECONDS, SECONDS)));
  }

  @Test
  void queueBlock_interruptedSubmitter_isRejected() throws Exception {
    Pool p = newPool(options().queue(1, Overflow.BLOCK));
    int workers = assumeFillable(p);
    FileSignal release = newSignal();
    occupy(p, workers, release);
    TaskFuture<Integer> waiting = p.submit(() -> 42);
    BlockedSubmit blocked = submitUntilBlocked(p);
    blocked.submitter().interrupt();
    ExecutionException e = assertThrows(ExecutionException.class, () -> blocked.get(WAIT_SECONDS, SECONDS));
    assertInstanceOf(RejectedExecutionException.class, e.getCause());
    release.fire();
    assertEquals(42, get(waiting));
    assertEquals(44, get(p.submit(() -> 44)));
  }

  @Test
  void queueBlock_blockedSubmitter_isRejectedWhenThePoolShutsDown() throws Exception {
    Pool p = newPool(options().queue(1, Overflow.BLOCK));
    int workers = assumeFillable(p);
    FileSignal release = newSignal();
    List<TaskFuture<String>> holders = occupy(p, workers, release);
    TaskFuture<Integer> waiting = p.submit(() -> 42);
    BlockedSubmit blocked = submitUntilBlocked(p);
    p.shutdown();
    // The workers are still held, so no slot frees: the submitter must be rejected because of the shutdown.
    ExecutionException e = assertThrows(ExecutionException.class, () -> blocked.get(WAIT_SECONDS, SECONDS));
    assertInstanceOf(RejectedExecutionException.class, e.getCause());
    release.fire();
    assertEquals(42, get(waiting), "a task accepted before shutdown still runs");
    for (TaskFuture<String> h : holders) {
      assertEquals(HeldTask.RELEASED, get(h));
    }
    assertTrue(p.awaitTermination(WAIT_SECONDS, SECONDS));
  }

  /** A submit of {@code () -> 43} on another thread, and that thread, once it is parked on the full queue. */
  private record BlockedSubmit(CompletableFuture<TaskFuture<Integer>> result, Thread submitter) {
    boolean isDone() {
      return result.isDone();
    }

    TaskFuture<Integer> get(long timeout, java.util.concurrent.TimeUnit unit) throws Exception {
      return result.get(timeout, unit);
    }
  }

  private static BlockedSubmit submitUntilBlocked(Pool p) throws InterruptedException {
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

  // ---- bad input ----

  @Test
  void nullTask_isRejectedWithNullPointerException() {
    Pool p = pool();
    assertThrows(NullPointerException.class, () -> p.submit(PoolContract.<Callable<Object>>nullValue()));
    assertThrows(NullPointerException.class, () -> p.submit(PoolContract.<SerializableCallable<Object>>nullValue()));
    assertThrows(NullPointerException.class, () -> p.submit(PoolContract.<Runnable>nullValue()));
    assertThrows(NullPointerException.class, () -> p.submit(PoolContract.<SerializableRunnable>nullValue()));
    assertThrows(NullPointerException.class, () -> p.submit(PoolContract.<Runnable>nullValue(), "result"));
    assertThrows(
        NullPointerException.class, () -> p.submit(PoolContract.<Callable<Object>>nullValue(), TaskOptions.none()));
    assertThrows(NullPointerException.class, () -> p.submit(() -> 1, PoolContract.<TaskOptions>nullValue()));
    assertThrows(NullPointerException.class, () -> p.execute(PoolContract.<Runnable>nullValue()));
    assertThrows(NullPointerException.class, () -> p.invokeAll(Arrays.asList(constant("a"), nullValue())));
    assertThrows(NullPointerException.class, () -> p.invokeAny(Arrays.asList(constant("a"), nullValue())));
  }

  @Test
  void nullArguments_toTheMapFamily_areRejectedWithNullPointerException() {
    Pool p = pool();
    List<Integer> items = List.of(1);
    assertThrows(NullPointerException.class, () -> p.map(nullValue(), items));
    assertThrows(NullPointerException.class, () -> p.map(x -> x, PoolContract.<List<Integer>>nullValue()));
    assertThrows(NullPointerException.class, () -> p.map(x -> x, items, nullValue()));
    assertThrows(NullPointerException.class, () -> p.imap(nullValue(), items).close());
    assertThrows(
        NullPointerException.class, () -> p.imapUnordered(x -> x, PoolContract.<List<Integer>>nullValue()).close());
    assertThrows(NullPointerException.class, () -> p.starmap(nullValue(), List.<Map.Entry<Integer, Integer>>of()));
  }

  @Test
  void invalidSettings_areRejectedWithIllegalArgumentException() {
    assertThrows(IllegalArgumentException.class, () -> MapOptions.chunkSize(0));
    assertThrows(IllegalArgumentException.class, () -> MapOptions.chunkSize(-1));
    assertThrows(IllegalArgumentException.class, () -> MapOptions.auto().withMaxInFlight(0));
    assertThrows(IllegalArgumentException.class, () -> Backend.threads(0));
    assertThrows(IllegalArgumentException.class, () -> TaskOptions.timeout(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> TaskOptions.timeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> options().taskTimeout(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> options().queue(0, Overflow.REJECT));
    List<TaskFuture<Integer>> futures = List.of(pool().submit(() -> 1));
    assertThrows(IllegalArgumentException.class, () -> Futures.asCompleted(futures, Duration.ofSeconds(-1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> Futures.await(futures, WaitMode.ALL_COMPLETED, Duration.ofSeconds(-1)));
  }

  // ---- many submitters ----

  @Test
  void manyConcurrentSubmitters_getEveryResultRight() throws Exception {
    int threads = 8;
    int perThread = 500;
    CyclicBarrier start = new CyclicBarrier(threads);
    Pool shared = pool(); // one pool for all submitters, opened before they race
    List<CompletableFuture<List<TaskFuture<Long>>>> submitted = new ArrayList<>();
    List<Thread> submitters = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      CompletableFuture<List<TaskFuture<Long>>> mine = new CompletableFuture<>();
      submitted.add(mine);
      submitters.add(Thread.ofPlatform().name("contract-submitter-" + t).start(() -> {
        try {
          start.await();
          List<TaskFuture<Long>> fs = new ArrayList<>(perThread);
          for (int i = 0; i < perThread; i++) {
            long n = thread * 1_000_000L + i;
            fs.add(shared.submit(() -> n * n + 1));
          }
          mine.complete(fs);
        } catch (Throwable e) {
          mine.completeExceptionally(e);
        }
      }));
    }
    for (int t = 0; t < threads; t++) {
      List<TaskFuture<Long>> fs = submitted.get(t).get(WAIT_SECONDS, SECONDS);
      for (int i = 0; i < perThread; i++) {
        long n = t * 1_000_000L + i;
        assertEquals(n * n + 1, get(fs.get(i)), "thread " + t + " task " + i);
      }
    }
    for (Thread s : submitters) {
      assertTrue(s.join(PATIENCE));
    }
  }

  // ---- task groups: structured concurrency, with cancellation that reaches the backend ----

  private void assumeTwoAtOnce() {
    assumeConcurrent();
    assumeTrue(pool().backend().parallelism() >= 2, "needs two tasks running at once");
  }

  @Test
  void taskGroup_firstFailure_cancelsRunningSibling_andIsThrown() throws Exception {
    assumeTwoAtOnce();
    HeldTask held = newHeldTask();
    TaskGroupException e;
    TaskFuture<String> sibling;
    try (TaskGroup group = TaskGroup.open(pool())) {
      sibling = group.fork(held);
      held.started().await(PATIENCE);
      group.fork(() -> {
        throw new IllegalStateException("broken part");
      });
      e = assertThrows(TaskGroupException.class, group::join);
    }
    IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
    assertEquals("broken part", cause.getMessage());
    assertTrue(sibling.isCancelled());
    held.interrupted().await(PATIENCE); // the cancel reached the running task as an interrupt
  }

  @Test
  void taskGroup_allSucceed_joinReturnsAndResultsAreThere() throws Exception {
    List<TaskFuture<Integer>> parts = new ArrayList<>();
    try (TaskGroup group = TaskGroup.open(pool())) {
      for (int i = 0; i < 5; i++) {
        int n = i;
        parts.add(group.fork(() -> n * n));
      }
      group.join();
    }
    assertEquals(List.of(0, 1, 4, 9, 16), parts.stream().map(TaskFuture::resultNow).toList());
  }

  @Test
  void taskGroup_firstSuccess_winsAndCancelsTheRest() throws Exception {
    assumeTwoAtOnce();
    HeldTask held = newHeldTask();
    try (TaskGroup group = TaskGroup.open(pool(), TaskGroup.Policy.FIRST_SUCCESS)) {
      TaskFuture<String> slow = group.fork(held);
      held.started().await(PATIENCE);
      group.fork(() -> "winner");
      group.join();
      assertEquals("winner", group.winner().orElseThrow().resultNow());
      assertTrue(slow.isCancelled());
    }
    held.interrupted().await(PATIENCE);
  }

  @Test
  void taskGroup_firstSuccess_allFail_throwsWithEveryFailure() throws Exception {
    TaskGroupException e;
    try (TaskGroup group = TaskGroup.open(pool(), TaskGroup.Policy.FIRST_SUCCESS)) {
      group.fork(() -> {
        throw new IllegalStateException("one");
      });
      group.fork(() -> {
        throw new IllegalArgumentException("two");
      });
      e = assertThrows(TaskGroupException.class, group::join);
    }
    assertEquals(1, e.getSuppressed().length);
  }

  @Test
  void taskGroup_collectAll_waitsForEveryOutcome() throws Exception {
    TaskFuture<Integer> ok;
    TaskFuture<Integer> bad;
    try (TaskGroup group = TaskGroup.open(pool(), TaskGroup.Policy.COLLECT_ALL)) {
      bad = group.fork(() -> {
        throw new IllegalStateException("collected");
      });
      ok = group.fork(() -> 7);
      group.join();
    }
    assertEquals(7, ok.resultNow());
    assertEquals("collected", bad.exceptionNow().getMessage());
  }

  @Test
  void taskGroup_failAfter_cancelsAndThrowsDeadlineExceeded() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    try (TaskGroup group = TaskGroup.open(pool()).failAfter(SHORT)) {
      TaskFuture<String> f = group.fork(held);
      DeadlineExceededException e = assertThrows(DeadlineExceededException.class, group::join);
      assertEquals(SHORT, e.timeout());
      assertTrue(f.isCancelled());
    }
    held.release().fire(); // in case the task never started: nothing may stay held
  }

  @Test
  void taskGroup_moveOnAfter_returnsWithWhatFinished() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    try (TaskGroup group = TaskGroup.open(pool())) {
      TaskFuture<Integer> quick = group.fork(() -> 1);
      assertEquals(1, get(quick));
      group.moveOnAfter(SHORT); // from now: the quick task is done whatever the machine's load
      TaskFuture<String> slow = group.fork(held);
      group.join();
      assertTrue(slow.isCancelled());
    }
    held.release().fire();
  }

  @Test
  void taskGroup_close_withoutJoin_cancelsWhatIsStillRunning() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f;
    try (TaskGroup group = TaskGroup.open(pool())) {
      f = group.fork(held);
      held.started().await(PATIENCE);
    }
    assertTrue(f.isCancelled());
    held.interrupted().await(PATIENCE);
  }

  // ---- stats ----

  @Test
  void stats_afterKnownWorkload_countEveryOutcomeExactly() throws Exception {
    Pool p = pool();
    for (int i = 0; i < 5; i++) {
      int n = i;
      assertEquals(n, get(p.submit(() -> n)));
    }
    for (int i = 0; i < 3; i++) {
      awaitDone(p.submit(failing("failure " + i)));
    }
    assertEquals(range(0, 20), p.map(x -> x, range(0, 20), MapOptions.chunkSize(5))); // four chunks: four tasks
    int cancelled = 0;
    if (runsConcurrently()) {
      HeldTask held = newHeldTask();
      TaskFuture<String> f = p.submit(held);
      held.started().await(PATIENCE);
      assertTrue(f.cancel(true));
      held.interrupted().await(PATIENCE);
      cancelled = 1;
    }
    long submitted = 5 + 3 + 4 + cancelled;
    // A worker counts a task when the task returns; a cancelled one may still be returning.
    PoolStats s = awaitStats(p, st -> st.tasksRun() == submitted && st.running() == 0,
        "every task counted by the worker that ran it");
    assertEquals(submitted, s.submitted(), s::table);
    assertEquals(9, s.completed(), s::table);
    assertEquals(3, s.failed(), s::table);
    assertEquals(cancelled, s.cancelled(), s::table);
    assertEquals(0, s.queued(), s::table);
    assertEquals(p.options().name(), s.name());
    assertEquals(p.backend().toString(), s.backend());
    assertFalse(s.workers().isEmpty(), "no workers listed");
    for (WorkerStats w : s.workers()) {
      assertFalse(w.name().isBlank(), () -> "unnamed worker in " + s.table());
      assertTrue(w.utilization() >= 0 && w.utilization() <= 1, s::table);
    }

    p.close();
    PoolStats after = awaitStats(p,
        st -> st.workers().stream().allMatch(w -> w.state() == WorkerStats.State.STOPPED),
        "every worker stopped after close");
    assertEquals(submitted, after.submitted(), after::table);
    assertEquals(submitted, after.tasksRun(), after::table);
  }

  @Test
  void stats_whileWorkersAreBusy_countRunningAndWaitingTasks() throws Exception {
    Pool p = pool();
    int workers = assumeFillable(p);
    FileSignal release = newSignal();
    List<TaskFuture<String>> holders = occupy(p, workers, release);
    TaskFuture<Integer> waiting1 = p.submit(() -> 1);
    TaskFuture<Integer> waiting2 = p.submit(() -> 2);
    // Worker processes may take the waiting ones in ahead (prefetch): they then count as running.
    PoolStats busy = awaitStats(p, st -> st.running() >= workers && st.running() + st.queued() == workers + 2,
        "held tasks running, the others waiting");
    assertEquals(0, busy.finished(), busy::table);
    assertTrue(busy.workers().stream().filter(w -> w.state() == WorkerStats.State.BUSY).count() >= 1, busy::table);
    release.fire();
    for (TaskFuture<String> h : holders) {
      assertEquals(HeldTask.RELEASED, get(h));
    }
    assertEquals(1, get(waiting1));
    assertEquals(2, get(waiting2));
    PoolStats done = awaitStats(p, st -> st.running() == 0 && st.queued() == 0, "nothing running");
    assertEquals(workers + 2, done.completed(), done::table);
  }

  @Test
  void stats_workers_nameTheProcessesThatRanTasks() throws Exception {
    Pool p = pool();
    WorkerInfo who = get(p.submit(() -> Worker.current()));
    PoolStats s = p.stats();
    assertTrue(s.workers().stream().anyMatch(w -> w.pid() == who.pid()),
        () -> "no worker with pid " + who.pid() + " in " + s.table());
    long me = ProcessHandle.current().pid();
    if (workersAreProcesses()) {
      assertTrue(s.workers().stream().noneMatch(w -> w.pid() == me), s::table);
      assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "resident memory is read from /proc (Linux)");
      awaitStats(p, st -> st.workers().stream().anyMatch(w -> w.pid() == who.pid() && w.rssBytes() > 0),
          "the resident memory of the worker that ran the task");
    } else {
      for (WorkerStats w : s.workers()) {
        assertEquals(me, w.pid(), s::table);
        assertEquals(-1, w.rssBytes(), s::table);
        assertEquals(Duration.ZERO, w.encoding(), s::table);
        assertEquals(0, w.restarts(), s::table);
      }
    }
  }

  @Test
  void stats_crashedWorker_isReplacedAndCountedAsARestart() throws Exception {
    assumeTrue(replacesCrashedWorkers(), "only backends whose tasks may end their worker's JVM");
    Pool p = pool();
    assertEquals(1, get(p.submit(() -> 1)));
    TaskFuture<Integer> crash = p.submit(() -> {
      Runtime.getRuntime().halt(3);
      return 0;
    });
    assertInstanceOf(WorkerCrashedException.class, failureOf(crash));
    PoolStats s = awaitStats(p, st -> st.workers().stream().mapToInt(WorkerStats::restarts).sum() == 1
            && st.workers().stream().allMatch(w -> w.state() == WorkerStats.State.IDLE),
        "the crashed worker replaced by a ready one");
    assertEquals(1, s.completed(), s::table);
    assertEquals(1, s.failed(), s::table);
    assertEquals(2, get(p.submit(() -> 2)), "the pool goes on");
  }

  // ---- helpers (static: a task lambda must never capture the test instance) ----

  /**
   * Polls {@code p.stats()} until {@code ready} accepts it (counters settle a moment after the futures
   * complete: a worker counts a cancelled task when it returns); fails after {@link #PATIENCE}.
   */
  private static PoolStats awaitStats(Pool p, Predicate<PoolStats> ready, String what) throws InterruptedException {
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

  private void assumeConcurrent() {
    assumeTrue(runsConcurrently(), "needs a task to run while the test thread goes on");
  }

  /** Skips unless every worker of {@code p} can be held busy; returns the number of workers. */
  private int assumeFillable(Pool p) {
    assumeConcurrent();
    int n = p.backend().parallelism();
    assumeTrue(n <= MAX_FILLABLE, () -> "parallelism " + n + " is too large to occupy every worker");
    return n;
  }

  /** Holds {@code n} workers of {@code p} until {@code release} fires; returns once all have started. */
  private List<TaskFuture<String>> occupy(Pool p, int n, FileSignal release) throws Exception {
    List<TaskFuture<String>> holders = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HeldTask h = HeldTask.in(tempDir(), release);
      holders.add(p.submit(h));
      h.started().await(PATIENCE); // one at a time, so a bounded queue never sees two waiting
    }
    return holders;
  }

  private static <T> T present(@Nullable T value, String what) {
    if (value == null) {
      throw new AssertionError(what + " is missing");
    }
    return value;
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.get(WAIT_SECONDS, SECONDS);
  }

  private static void awaitDone(Future<?> f) throws Exception {
    try {
      f.get(WAIT_SECONDS, SECONDS);
    } catch (ExecutionException | CancellationException e) {
      // done either way
    }
  }

  /** The cause of the {@link ExecutionException} the failed future throws. */
  private static Throwable failureOf(Future<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT_SECONDS, SECONDS));
    Throwable cause = e.getCause();
    assertNotNull(cause, "ExecutionException without cause");
    return cause;
  }

  /** Waits (bounded) until {@code t} parks; a submitter that never parks is caught by the caller's check. */
  private static void awaitParked(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      Thread.State s = t.getState();
      if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.TERMINATED) {
        return;
      }
      Thread.sleep(1);
    }
  }

  private static String chunkName(int chunk) {
    return chunk == 0 ? "automatic chunks" : "chunk size " + chunk;
  }

  private static MapOptions chunking(int chunk) {
    return chunk == 0 ? MapOptions.auto() : MapOptions.chunkSize(chunk);
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  private static int failOn13(int x) {
    if (x == 13) {
      throw new IllegalStateException("bad item " + x);
    }
    return x;
  }

  private static void assertBadItem13(CompletionException e) {
    IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
    assertEquals("bad item 13", cause.getMessage());
  }

  private static void failingAction(String message) {
    throw new ContractException(message, 0);
  }

  private static void doNothing() {}

  private static Callable<String> constant(String value) {
    SerializableCallable<String> task = () -> value;
    return task;
  }

  /** A task that fires {@code ran} and returns {@code value}. */
  private static Callable<String> firing(FileSignal ran, String value) {
    SerializableCallable<String> task = () -> {
      ran.fire();
      return value;
    };
    return task;
  }

  private static Callable<String> failing(String message) {
    SerializableCallable<String> task = () -> {
      throw new ContractException(message, 0);
    };
    return task;
  }

  /** Runs in a task: fires {@code started}, sleeps until interrupted, then fires {@code interrupted}. */
  private static int holdUntilInterrupted(FileSignal started, FileSignal interrupted) {
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
  private static <T> T nullValue() {
    return null;
  }

  /** Records what a map reports, and checks it was called on the consuming thread only. */
  private static final class RecordingProgress implements ProgressListener {
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
  private static final class CountingIterable implements Iterable<Integer> {
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
}
