package dev.unipool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.MapOptions;
import dev.unipool.PoolOptions;
import dev.unipool.spi.ManualPool;
import dev.unipool.spi.TaskRun;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The map engine against a {@link ManualPool}: the test decides when and in which order chunks run, so
 * ordering, the window of chunks in flight, cancellation and chunking are checked without a scheduler.
 * Nothing here depends on how automatic chunks are sized, only on what any sizing must keep.
 */
@Timeout(60)
class MapEngineTest {
  private final List<ManualPool> pools = new ArrayList<>();

  private ManualPool pool(boolean runOnDispatch) {
    ManualPool p = new ManualPool(PoolOptions.defaults(), runOnDispatch);
    pools.add(p);
    return p;
  }

  @AfterEach
  void close() {
    pools.forEach(ManualPool::shutdownNow);
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  /** Runs {@code work} on a consuming thread of its own, so the test thread can play the backend. */
  private <T> CompletableFuture<T> consume(java.util.function.Supplier<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    consumer = Thread.ofPlatform().name("map-consumer").start(() -> {
      try {
        f.complete(work.get());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  private @Nullable Thread consumer;

  /** Returns once the consuming thread waits for a chunk (polled, bounded), having registered for every one. */
  private void awaitConsumerWaiting() throws InterruptedException {
    Thread t = Objects.requireNonNull(consumer);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (t.getState() != Thread.State.WAITING) {
      assertTrue(System.nanoTime() - deadline < 0, () -> "the consumer never waited: " + t.getState());
      LockSupport.parkNanos(1_000_000); // polls a state; the state, not the pause, is what the test waits for
    }
  }

  @Test
  void ordered_chunksCompletingInReverse_yieldResultsInInputOrder() throws Exception {
    ManualPool p = pool(false);
    MapOptions options = MapOptions.chunkSize(1).withMaxInFlight(10);
    CompletableFuture<List<Integer>> result = consume(() -> p.map(x -> x * 10, range(0, 10), options));
    List<TaskRun<?>> chunks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      chunks.add(p.next());
    }
    for (int i = chunks.size() - 1; i >= 0; i--) {
      chunks.get(i).run();
    }
    assertEquals(range(0, 10).stream().map(x -> x * 10).toList(), result.get(30, TimeUnit.SECONDS));
  }

  @Test
  void unordered_yieldsInCompletionOrder() throws Exception {
    ManualPool p = pool(false);
    MapOptions options = MapOptions.chunkSize(1).withMaxInFlight(3);
    CompletableFuture<List<Integer>> result = consume(() -> {
      try (Stream<Integer> s = p.imapUnordered(x -> x, range(0, 3), options)) {
        return s.toList();
      }
    });
    TaskRun<?> first = p.next();
    TaskRun<?> second = p.next();
    TaskRun<?> third = p.next();
    awaitConsumerWaiting();
    third.run();
    second.run();
    first.run();
    assertEquals(List.of(2, 1, 0), result.get(30, TimeUnit.SECONDS));
  }

  @Test
  void window_boundsTheChunksInFlight_andClosingCancelsTheRest() throws Exception {
    ManualPool p = pool(false);
    MapOptions options = MapOptions.chunkSize(2).withMaxInFlight(3);
    Iterable<Integer> naturals = () -> Stream.iterate(0, i -> i + 1).iterator();
    CompletableFuture<List<Integer>> result = consume(() -> {
      try (Stream<Integer> s = p.imap(x -> x + 1, naturals, options)) {
        return s.limit(20).toList();
      }
    });
    while (!result.isDone()) {
      TaskRun<?> chunk = p.poll(10); // bounded wait for the next chunk; the consumer may be finishing
      if (chunk != null) {
        chunk.run();
      }
    }
    assertEquals(range(1, 21), result.get());
    assertTrue(p.maxInFlight() <= 3, () -> p.maxInFlight() + " chunks in flight, window 3");
    for (TaskRun<?> chunk : p.all()) {
      assertTrue(chunk.isDone(), "closing the stream left a chunk in flight");
    }
  }

  @Test
  void failedChunk_throwsCompletionExceptionWithTheCause_andCancelsTheChunksInFlight() throws Exception {
    ManualPool p = pool(false);
    MapOptions options = MapOptions.chunkSize(1).withMaxInFlight(4);
    CompletableFuture<Object> result = consume(() -> {
      try {
        return p.map(MapEngineTest::failOn1, range(0, 10), options);
      } catch (CompletionException e) {
        return e;
      }
    });
    List<TaskRun<?>> chunks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      chunks.add(p.next());
    }
    chunks.get(0).run();
    chunks.get(1).run();
    CompletionException ce = assertInstanceOf(CompletionException.class, result.get(30, TimeUnit.SECONDS));
    assertEquals("bad 1", assertInstanceOf(IllegalStateException.class, ce.getCause()).getMessage());
    assertTrue(ce.getMessage().contains("map failed on an item"), ce::getMessage);
    assertTrue(chunks.get(2).isCancelled() && chunks.get(3).isCancelled(), "chunks in flight were not cancelled");
  }

  private static int failOn1(int x) {
    if (x == 1) {
      throw new IllegalStateException("bad " + x);
    }
    return x;
  }

  @Test
  void fixedChunkSize_everyChunkHasThatSize_exceptTheLast() {
    ManualPool p = pool(true);
    assertEquals(range(0, 23), p.map(x -> x, range(0, 23), MapOptions.chunkSize(5)));
    assertEquals(List.of(5, 5, 5, 5, 3), chunkSizes(p));
  }

  @Test
  void automaticChunks_coverTheInputOnce_inOrder() {
    for (boolean sized : new boolean[] {true, false}) {
      ManualPool p = pool(true);
      List<Integer> in = range(0, 5_000);
      Iterable<Integer> items = sized ? in : () -> in.iterator(); // a Collection's size is known up front
      assertEquals(in, p.map(x -> x, items));
      List<Object> seen = new ArrayList<>();
      for (TaskRun<?> chunk : p.all()) {
        TaskAdapters.Chunk<?, ?> c = assertInstanceOf(TaskAdapters.Chunk.class, chunk.task());
        assertTrue(!c.items().isEmpty(), "an empty chunk");
        seen.addAll(c.items());
      }
      assertEquals(in, seen, "chunks must partition the input in order");
    }
  }

  @Test
  void lazyInput_isReadNoFurtherThanTheWindowNeeds() throws Exception {
    ManualPool p = pool(false);
    int[] read = {0};
    Iterable<Integer> counting = () -> new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        return read[0]++;
      }
    };
    MapOptions options = MapOptions.chunkSize(3).withMaxInFlight(2);
    CompletableFuture<Integer> first = consume(() -> {
      try (Stream<Integer> s = p.imap(x -> x, counting, options)) {
        return s.iterator().next();
      }
    });
    p.next().run();
    assertEquals(0, first.get(30, TimeUnit.SECONDS));
    assertTrue(p.all().size() <= 3, () -> p.all().size() + " chunks submitted to yield one item, window 2");
    assertTrue(read[0] <= 9, () -> "read " + read[0] + " items to yield one, window 2 of chunks of 3");
  }

  private static List<Integer> chunkSizes(ManualPool p) {
    List<Integer> sizes = new ArrayList<>();
    for (TaskRun<?> chunk : p.all()) {
      sizes.add(assertInstanceOf(TaskAdapters.Chunk.class, chunk.task()).items().size());
    }
    return sizes;
  }
}
