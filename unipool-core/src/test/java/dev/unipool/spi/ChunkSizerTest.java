package dev.unipool.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.spi.MapEngine.ChunkSizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The map's chunk sizing, without a pool: sizes from what is known, then from what chunks measure. */
class ChunkSizerTest {
  private static final long TARGET = 2_000_000;
  private static final int MAX = 65_536;

  private static List<Integer> firstWindow(ChunkSizer s, int chunks) {
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < chunks; i++) {
      sizes.add(s.next());
    }
    return sizes;
  }

  @Test
  void unknownFunction_probesWithGrowingChunks_upToTheProbeLimit() {
    ChunkSizer s = new ChunkSizer(1_000_000, 2, -1, TARGET, MAX);
    assertEquals(List.of(1, 2, 4, 8, 16, 32, 64, 64, 64), firstWindow(s, 9));
  }

  @Test
  void knownCost_startsAtTheSizeItAsksFor_cappedByAQuarterOfAWorkersShare() {
    // 1 us per item: 2,000 items make 2 ms; 10 k items on 2 workers cap a chunk at 1,250 (1.25 ms).
    assertEquals(List.of(1_250, 1_250), firstWindow(new ChunkSizer(10_000, 2, 1_000, TARGET, MAX), 2));
    assertEquals(20_000, new ChunkSizer(1_000_000, 2, 100, TARGET, MAX).next());
    assertEquals(MAX, new ChunkSizer(100_000_000, 2, 1, TARGET, MAX).next());
    // 50 ms per item: one item per chunk.
    assertEquals(1, new ChunkSizer(1_000, 2, 50_000_000, TARGET, MAX).next());
  }

  @Test
  void cheapItems_reachTheTargetSize_afterAFewMeasurements_growingAtMost8xEachTime() {
    ChunkSizer s = new ChunkSizer(1_000_000, 2, -1, TARGET, MAX);
    firstWindow(s, 8);
    int previous = 64;
    for (int i = 0; i < 10; i++) {
      s.measured(previous, previous * 50L); // 50 ns per item: the target is 40,000 items
      int next = s.next();
      assertTrue(next <= 8 * previous, next + " after " + previous);
      previous = next;
    }
    assertEquals(40_000, previous);
  }

  @Test
  void aColdFirstChunk_doesNotKeepLaterChunksSmall() {
    ChunkSizer s = new ChunkSizer(1_000_000, 2, -1, TARGET, MAX);
    firstWindow(s, 8);
    s.measured(1, 1_400_000_000); // a fresh worker's first item: 1.4 s of class loading and set-up
    int size = s.next();
    for (int i = 0; i < 20; i++) {
      s.measured(size, size * 50L); // then 50 ns per item
      size = s.next();
    }
    // The outlier's weight has halved with every chunk since: what is left of it moves the size by 2% at most.
    assertTrue(size >= 39_200 && size <= 40_800, "size " + size + ", target 40,000");
    assertTrue(s.costToRemember() < 100, "remembered " + s.costToRemember() + " ns per item");
  }

  @Test
  void expensiveItems_stayAtOneItemPerChunk() {
    ChunkSizer s = new ChunkSizer(10_000, 4, -1, TARGET, MAX);
    assertEquals(1, s.next());
    s.measured(1, 30_000_000);
    assertEquals(1, s.next());
    s.measured(2, 60_000_000);
    assertEquals(1, s.next());
  }

  @Test
  void smallInputsOfCostlyItems_neverGetChunksLargerThanAQuarterOfAWorkersShare() {
    ChunkSizer s = new ChunkSizer(20, 2, -1, TARGET, MAX); // cap: ceil(20 / 8) = 3
    assertEquals(List.of(1, 2, 3, 3), firstWindow(s, 4));
    s.measured(3, 600_000); // 0.2 ms per item: a chunk of 3 is worth its round trip
    assertEquals(3, s.next());
    assertEquals(1, new ChunkSizer(0, 2, -1, TARGET, MAX).next(), "an empty input still has a size");
  }

  @Test
  void aCheapSmallMap_keepsChunksWorthTheirRoundTrip_aboveAQuarterOfAWorkersShare() {
    // 40 ns per item: 10 k items are 0.4 ms of work in all, less than one chunk's worth: one chunk.
    assertEquals(12_500, new ChunkSizer(10_000, 2, 40, TARGET, MAX).next());
    // 100 ns per item: chunks of 0.5 ms (5,000 items) rather than eight of 1,250 (0.125 ms each).
    assertEquals(5_000, new ChunkSizer(10_000, 2, 100, TARGET, MAX).next());
    // A measurement leads to the same rule.
    ChunkSizer s = new ChunkSizer(10_000, 2, -1, TARGET, MAX);
    firstWindow(s, 4);
    s.measured(8, 800);
    assertEquals(5_000, Math.max(s.next(), 5_000)); // growth is bounded per measurement...
    for (int i = 0; i < 6; i++) {
      s.measured(s.next(), s.next() * 100L);
    }
    assertEquals(5_000, s.next()); // ...but ends at half a millisecond of work
  }

  @Test
  void unknownLength_isCappedByTheLargestChunkOnly() {
    ChunkSizer s = new ChunkSizer(-1, 2, 0.5, TARGET, MAX);
    assertEquals(MAX, s.next());
  }

  @Test
  void onlyEnoughMeasuredItems_makeACostWorthRemembering() {
    ChunkSizer s = new ChunkSizer(1_000_000, 2, -1, TARGET, MAX);
    s.measured(100, 10_000);
    assertEquals(-1.0, s.costToRemember());
    s.measured(200, 20_000);
    assertEquals(100.0, s.costToRemember());
    s.measured(5, -1); // no timing: ignored
    assertEquals(100.0, s.costToRemember());
  }

  @Test
  void aFixedCostPerChunk_isNotTakenForACostPerItem() {
    // A fresh worker: every chunk costs 1 ms whatever its size (decoding the function), plus 30 ns per item.
    ChunkSizer s = new ChunkSizer(100_000, 2, -1, TARGET, MAX);
    List<Integer> window = firstWindow(s, 8);
    for (int n : window) {
      s.measured(n, 1_000_000 + 30L * n);
    }
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = s.next();
      sizes.add(n);
      s.measured(n, 1_000_000 + 30L * n);
    }
    // 30 ns per item: half a millisecond of work is 16,667 items. Taking the fixed part for a cost per
    // item, the sizes would only double from about 128.
    assertTrue(sizes.get(0) >= 4_096, "sizes " + sizes);
    assertEquals(List.of(16_667, 16_667), sizes.subList(1, 3));
    assertTrue(s.costToRemember() > 29 && s.costToRemember() < 31, "remembered " + s.costToRemember());
  }

  @Test
  void noisyCostlyItems_neverGetLargerChunks_fromAFittedLine() {
    java.util.Random noise = new java.util.Random(42);
    ChunkSizer s = new ChunkSizer(10_000, 2, -1, TARGET, MAX);
    int largest = 0;
    for (int i = 0; i < 200; i++) {
      int n = s.next();
      largest = Math.max(largest, n);
      // 30 ms per item, +-40%, and a fixed 0-10 ms per chunk
      long nanos = (long) (n * 30_000_000L * (0.6 + 0.8 * noise.nextDouble()) + 10_000_000L * noise.nextDouble());
      s.measured(n, nanos);
    }
    assertEquals(1, s.next());
    assertTrue(largest <= 2, "largest chunk " + largest); // the first probes are 1 and 2
  }

  @Test
  void sameSizedChunks_fallBackToThePlainAverage() {
    ChunkSizer s = new ChunkSizer(1_000_000, 2, -1, TARGET, MAX);
    for (int i = 0; i < 5; i++) {
      s.measured(1_000, 400_000 + i); // 400 ns per item, no spread to fit a line through
    }
    assertEquals(400.0, s.costToRemember(), 0.01);
  }
}
