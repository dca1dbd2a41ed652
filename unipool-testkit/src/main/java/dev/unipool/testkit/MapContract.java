package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.CHUNK_SIZES;
import static dev.unipool.testkit.ContractSupport.PATIENCE;
import static dev.unipool.testkit.ContractSupport.WAIT_SECONDS;
import static dev.unipool.testkit.ContractSupport.assertBadItem13;
import static dev.unipool.testkit.ContractSupport.chunkName;
import static dev.unipool.testkit.ContractSupport.chunking;
import static dev.unipool.testkit.ContractSupport.failOn13;
import static dev.unipool.testkit.ContractSupport.get;
import static dev.unipool.testkit.ContractSupport.holdUntilInterrupted;
import static dev.unipool.testkit.ContractSupport.range;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.MapOptions;
import dev.unipool.testkit.ContractSupport.CountingIterable;
import dev.unipool.testkit.ContractSupport.RecordingProgress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The map family: {@code map}, {@code starmap}, {@code imap}, {@code imapUnordered}; order, laziness, failures and progress, at several chunk sizes.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface MapContract extends PoolFixture {
  @Test
  default void map_returnsResultsInInputOrder() {
    List<Integer> in = range(0, 100);
    List<Integer> squares = in.stream().map(x -> x * x).toList();
    for (int chunk : CHUNK_SIZES) {
      assertEquals(squares, pool().map(x -> x * x, in, chunking(chunk)), chunkName(chunk));
    }
  }

  @Test
  @SuppressWarnings("NullAway") // the API's type parameters have no @Nullable bound; null results still work
  default void map_functionReturningNull_yieldsNullInItsPlace() {
    List<Integer> got = pool().map(x -> x % 2 == 0 ? null : x, range(0, 6), MapOptions.chunkSize(1));
    assertEquals(Arrays.asList(null, 1, null, 3, null, 5), got);
  }

  @Test
  default void map_withDefaultOptions_returnsResultsInInputOrder() {
    List<String> in = List.of("a", "bb", "ccc", "dddd", "eeeee");
    assertEquals(List.of(1, 2, 3, 4, 5), pool().map(String::length, in));
  }

  @Test
  default void map_results_areUnmodifiable_andTravelToAnotherTask() throws Exception {
    List<Integer> in = range(0, 1000);
    for (int chunk : CHUNK_SIZES) {
      List<Integer> out = pool().map(x -> x + 1, in, chunking(chunk));
      assertThrows(UnsupportedOperationException.class, () -> out.set(0, 0), chunkName(chunk));
      // A task capturing the results: they serialize wherever the task goes.
      long sum = get(pool().submit(() -> out.stream().mapToLong(Integer::longValue).sum()));
      assertEquals(500_500L, sum, chunkName(chunk));
      assertEquals(out, get(pool().submit(() -> out)), chunkName(chunk));
    }
  }

  @Test
  default void starmap_appliesEachPairInInputOrder() {
    List<Map.Entry<Integer, Integer>> pairs = range(0, 50).stream().map(i -> Map.entry(i, i + 1)).toList();
    List<Integer> expected = pairs.stream().map(p -> p.getKey() * p.getValue()).toList();
    for (int chunk : CHUNK_SIZES) {
      List<Integer> got = pool().starmap((Integer a, Integer b) -> a * b, pairs, chunking(chunk));
      assertEquals(expected, got, chunkName(chunk));
    }
  }

  @Test
  default void starmap_withDefaultOptions_acceptsAMapsEntries() {
    Map<String, Integer> repeats = Map.of("ab", 2, "c", 3);
    List<String> got = pool().starmap((String s, Integer n) -> s.repeat(n), repeats.entrySet());
    List<String> expected = repeats.entrySet().stream().map(e -> e.getKey().repeat(e.getValue())).toList();
    assertEquals(expected, got);
  }

  @Test
  default void imap_yieldsResultsInInputOrder() {
    List<Integer> in = range(0, 100);
    for (int chunk : CHUNK_SIZES) {
      try (Stream<Integer> s = pool().imap(x -> x * 2, in, chunking(chunk))) {
        assertEquals(in.stream().map(x -> x * 2).toList(), s.toList(), chunkName(chunk));
      }
    }
  }

  @Test
  default void imapUnordered_yieldsEveryResultOnce() {
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
  default void mapFamily_emptyInput_yieldsNothing() {
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
  default void imap_infiniteInput_isReadLazily() {
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
  default void imapUnordered_infiniteInput_isReadLazily() {
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
  default void imap_infiniteStream_terminatesAndClosesTheSource() {
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
  default void map_itemFails_throwsCompletionExceptionWithTheCause() throws Exception {
    List<Integer> in = range(0, 40);
    for (int chunk : CHUNK_SIZES) {
      CompletionException e =
          assertThrows(CompletionException.class, () -> pool().map(x -> failOn13(x), in, chunking(chunk)));
      assertBadItem13(e);
      assertEquals(5, get(pool().submit(() -> 5)), "the pool still works after a failed map");
    }
  }

  @Test
  default void imap_itemFails_yieldsEarlierResultsThenThrows() {
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
  default void imapUnordered_itemFails_throwsCompletionExceptionWithTheCause() {
    List<Integer> in = range(0, 40);
    for (int chunk : CHUNK_SIZES) {
      try (Stream<Integer> s = pool().imapUnordered(x -> failOn13(x), in, chunking(chunk))) {
        assertBadItem13(assertThrows(CompletionException.class, s::toList, chunkName(chunk)));
      }
    }
  }

  @Test
  default void imap_closedEarly_leavesThePoolUsable() throws Exception {
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
  default void imap_closedEarly_cancelsChunksInFlight() throws Exception {
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
  default void map_withProgress_reportsAMonotoneCountEndingAtTheTotal() throws Exception {
    for (int chunk : CHUNK_SIZES) {
      RecordingProgress progress = new RecordingProgress();
      assertEquals(range(0, 200), pool().map(x -> x, range(0, 200), chunking(chunk).withProgress(progress)),
          chunkName(chunk));
      progress.assertMonotone(200, true);
      assertEquals(List.of(200L), progress.totals(), "the input is a list: its size is known from the start");
    }
  }

  @Test
  default void imapUnordered_withProgress_learnsTheTotalAtTheEndOfTheInput() throws Exception {
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
  default void map_withProgress_failingItem_finishesIncomplete() throws Exception {
    RecordingProgress progress = new RecordingProgress();
    CompletionException e = assertThrows(CompletionException.class,
        () -> pool().map(ContractSupport::failOn13, range(0, 40), MapOptions.chunkSize(1).withProgress(progress)));
    assertBadItem13(e);
    progress.assertMonotone(-1, false);
  }
}
