package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.PayloadTooLargeException;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.SerializableCallable;
import dev.unipool.Shared;
import dev.unipool.TaskFuture;
import dev.unipool.Worker;
import dev.unipool.remote.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Large payloads through shared-memory regions, and {@code pool.share}, on worker processes. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SharedMemoryTest {
  private static final int T = Region.THRESHOLD;

  static byte[] pattern(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + (i >>> 8) + seed);
    }
    return b;
  }

  private static ProcessPool open(int workers) {
    return (ProcessPool) Pool.of(Backend.processes(workers), PoolOptions.defaults().retries(10));
  }

  @Test
  void payloads_belowAtAndAboveTheThreshold_arriveIntactBothWays() throws Exception {
    try (ProcessPool pool = open(1)) {
      assertNotNull(pool.shmDir(), "shared memory is on by default");
      for (int n : new int[] {T - 1, T, T + 1, 3 * T + 5}) {
        byte[] in = pattern(n, n);
        byte[] back = pool.submit(() -> in).get(60, TimeUnit.SECONDS); // a task carrying it, returning it
        assertArrayEquals(in, back, "round trip of " + n + " bytes");
        int size = n;
        byte[] made = pool.submit(() -> pattern(size, 7)).get(60, TimeUnit.SECONDS); // made in the worker
        assertArrayEquals(pattern(n, 7), made, "result of " + n + " bytes");
      }
    }
  }

  @Test
  void region_grows_andIsReusedWhenSmallerPayloadsFollow() throws Exception {
    try (ProcessPool pool = open(1)) {
      for (int n : new int[] {2 * T, 9 * T, T + 3, 20 * T, 2 * T}) {
        int size = n;
        byte[] made = pool.submit(() -> pattern(size, size)).get(60, TimeUnit.SECONDS);
        assertArrayEquals(pattern(n, n), made, "result of " + n + " bytes");
      }
    }
  }

  @Test
  void largeResults_ofConcurrentTasks_allArriveIntact() throws Exception {
    try (ProcessPool pool = open(2)) {
      List<TaskFuture<byte[]>> fs = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        int size = T + i * 300_001;
        int seed = i;
        fs.add(pool.submit(() -> pattern(size, seed)));
      }
      for (int i = 0; i < fs.size(); i++) {
        assertArrayEquals(pattern(T + i * 300_001, i), fs.get(i).get(120, TimeUnit.SECONDS), "task " + i);
      }
    }
  }

  @Test
  void workersKilledMidTransfer_loseNoTask_andLeaveNoFile() throws Exception {
    Path dir;
    try (ProcessPool pool = open(2)) {
      dir = pool.shmDir();
      assertNotNull(dir);
      List<TaskFuture<byte[]>> fs = new ArrayList<>();
      try (var killer = dev.unipool.process.internal.KillChildren.start(3)) {
        for (int i = 0; i < 10; i++) {
          int seed = i;
          fs.add(pool.submit(() -> pattern(24 * T, seed)));
        }
        for (int i = 0; i < fs.size(); i++) {
          assertArrayEquals(pattern(24 * T, i), fs.get(i).get(150, TimeUnit.SECONDS), "task " + i);
        }
      }
      // A live worker's region may still wait for its reader; a dead one's must be gone once the pool has
      // handled its exit, which may lag the kill: wait for that, boundedly.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      List<Path> left = leftByDeadWorkers(pool, dir);
      while (!left.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50); // polling a condition with a deadline, not a synchronisation by time
        left = leftByDeadWorkers(pool, dir);
      }
      assertEquals(List.of(), left, "region files of dead workers are left");
    }
    assertFalse(Files.exists(dir), "the pool's shared-memory directory outlives it: " + dir);
  }

  /** Region files whose worker (the pid their name starts with) is no longer one of the pool's live workers. */
  private static List<Path> leftByDeadWorkers(ProcessPool pool, Path dir) throws java.io.IOException {
    Set<String> live = new HashSet<>();
    pool.workerPids().forEach(p -> live.add(Long.toString(p)));
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> {
        String name = f.getFileName().toString();
        return !live.contains(name.substring(0, Math.max(0, name.indexOf('-'))));
      }).toList();
    }
  }

  @Test
  void share_readByEveryWorker_isMappedOncePerWorkerAndNotCopied() throws Exception {
    byte[] data = pattern(5 * T + 3, 1);
    long expected = dev.unipool.testkit.SharedContract.checksum(MemorySegment.ofArray(data));
    Path file;
    try (ProcessPool pool = open(2); Shared shared = pool.share(data)) {
      List<TaskFuture<long[]>> fs = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        fs.add(pool.submit(() -> {
          MemorySegment s = shared.segment();
          return new long[] {ProcessHandle.current().pid(), s.address(),
              dev.unipool.testkit.SharedContract.checksum(s), s.get(ValueLayout.JAVA_BYTE, 5L * T + 2)};
        }));
      }
      Map<Long, Long> addressByPid = new HashMap<>();
      for (TaskFuture<long[]> f : fs) {
        long[] r = f.get(120, TimeUnit.SECONDS);
        assertEquals(expected, r[2], "checksum");
        assertEquals(data[data.length - 1], (byte) r[3], "last byte");
        Long before = addressByPid.putIfAbsent(r[0], r[1]);
        assertTrue(before == null || before == r[1], "a worker mapped the data twice");
      }
      String where = shared.toString();
      file = Path.of(where.substring(where.indexOf(", ") + 2, where.length() - 1));
      assertTrue(Files.exists(file), "the shared file exists while the handle is open: " + file);
    }
    assertFalse(Files.exists(file), "closing the handle or the pool deletes its file");
  }

  /** Whether process {@code pid} maps {@code file} (deleted or not), as its memory map says. */
  private static boolean maps(long pid, Path file) throws java.io.IOException {
    try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/maps"))) {
      return lines.anyMatch(l -> l.contains(file.toString()));
    }
  }

  @Test
  @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX) // reads /proc
  void share_closed_isUnmappedByTheWorker_betweenTasks_andCannotBeReadThere() throws Exception {
    byte[] data = pattern(2 * T + 5, 3);
    try (ProcessPool pool = open(1)) {
      Shared shared = pool.share(data);
      String where = shared.toString();
      Path file = Path.of(where.substring(where.indexOf(", ") + 2, where.length() - 1));
      long pid = pool.submit(() -> {
        shared.segment().get(ValueLayout.JAVA_BYTE, 7);
        return ProcessHandle.current().pid();
      }).get(120, TimeUnit.SECONDS);
      assertTrue(maps(pid, file), "the worker maps the data while the handle is open");
      shared.close();
      // The worker looks between tasks, at most every 100 ms (perhaps right after the task above): run tasks
      // until it has, within a generous deadline.
      int tasks = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (maps(pid, file) && System.nanoTime() < deadline) {
        assertEquals(pid, pool.submit(() -> ProcessHandle.current().pid()).get(120, TimeUnit.SECONDS));
        tasks++;
      }
      assertFalse(maps(pid, file), "the worker still maps closed data after " + tasks + " tasks");
      java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.ExecutionException.class,
          () -> pool.submit(() -> shared.segment().byteSize()).get(120, TimeUnit.SECONDS));
      assertTrue(String.valueOf(e.getCause()).contains("IllegalStateException")
          && String.valueOf(e.getCause().getMessage()).contains("is gone"), "a clear refusal: " + e.getCause());
    }
  }

  @Test
  void share_capturedInATaskSentByFory_isReadInTheWorker() throws Exception {
    byte[] data = pattern(T + 9, 2);
    long expected = dev.unipool.testkit.SharedContract.checksum(MemorySegment.ofArray(data));
    try (var codec = dev.unipool.testkit.SystemProperty.set(dev.unipool.remote.Codec.MODE_PROPERTY, "fory");
        ProcessPool pool = open(1);
        Shared shared = pool.share(data)) {
      long sum = pool.submit(() -> dev.unipool.testkit.SharedContract.checksum(shared.segment())).get(120, TimeUnit.SECONDS);
      assertEquals(expected, sum);
    }
  }

  @Test
  void objectsHoldingLargeArrays_travelWithTheirArraysAsParts_throughRegionAndSocket() throws Exception {
    try (var codec = dev.unipool.testkit.SystemProperty.set(Codec.MODE_PROPERTY, "fory");
        ProcessPool pool = open(1)) {
      // Parts in a region, parts through the socket; the worker's results switch to Fory after 8 uses.
      for (int i = 0; i < 20; i++) {
        int n = i % 2 == 0 ? 3 * T + 1 : T / 4;
        byte[] big = pattern(n, i);
        byte[] small = pattern(100, 6);
        List<byte[]> back = pool.submit(() -> List.of(big, small, big)).get(60, TimeUnit.SECONDS);
        assertArrayEquals(big, back.get(0), n + " bytes");
        assertArrayEquals(small, back.get(1));
        assertSame(back.get(0), back.get(2), "an array sent twice is one array on arrival");
      }
    }
  }

  /** Full collections of the serial collector in this JVM (a worker's own collector), 0 under another one. */
  static long serialFullCollections() {
    return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .filter(g -> g.getName().equals("MarkSweepCompact")).mapToLong(g -> g.getCollectionCount()).sum();
  }

  @Test
  void afterALargeResult_theIdleWorkerCollects_beforeTheNextPayloadNeedsIt() throws Exception {
    try (ProcessPool pool = open(1)) {
      // 40 MB there and back in a worker whose old generation starts at some 43 MB: the next payload like
      // it would not fit. The task's own copy of the input must be garbage by the time it collects.
      byte[] input = pattern(40 << 20, 7);
      Object[] first = pool.submit(() -> new Object[] {input, serialFullCollections()}).get(120, TimeUnit.SECONDS);
      assertArrayEquals(input, (byte[]) first[0]);
      long before = (Long) first[1];
      long[] after = pool.submit(() -> {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long n = serialFullCollections();
        while (n == before && System.nanoTime() < deadline) {
          Thread.sleep(10); // the other worker thread collects once it has answered; bounded by the deadline
          n = serialFullCollections();
        }
        long oldAfterCollection = java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getName().equals(IdleCollection.SERIAL_OLD))
            .mapToLong(p -> p.getCollectionUsage().getUsed()).sum();
        return new long[] {n, oldAfterCollection};
      }).get(120, TimeUnit.SECONDS);
      assertEquals(before + 1, after[0], "one full collection while idle, none of its own");
      assertTrue(after[1] < 40 << 20, "the collection freed the answered task's 40 MB: " + after[1]);
    }
  }

  /** Two arrays that each fit in one array, and together pass what one socket frame carries (2 GB less 1 KB). */
  private static final int HALF_OVER = 1_100_000_000;

  /** Whether this machine's shared memory has room for a payload of {@code bytes} each way, and some to spare. */
  private static boolean roomForBothWays(ProcessPool pool, long bytes) {
    Path d = pool.shmDir();
    return d != null && Region.room(d) > 2 * bytes + (1L << 30);
  }

  /**
   * The parent's side of {@link #aResultOver2GB_travelsThroughTheRegion_orFailsItsTaskWhereItHasNoRoom}: the
   * same writer and reader, the other way. Some 40 s of page faults on a 2-core VM, so only in the full
   * suite; {@code FrameWriterTest} covers the writer's waiting with a small socket limit by default.
   */
  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS) // page faults: 40 s on idle cores here, several times that on busy ones
  @EnabledIfSystemProperty(named = "unipool.fullSuite", matches = "true")
  void aTaskOver2GB_travelsThroughTheRegion_orFailsAtSubmitWhereItHasNoRoom() throws Exception {
    try (ProcessPool pool = open(1)) {
      byte[] a = new byte[HALF_OVER];
      byte[] b = new byte[HALF_OVER];
      a[0] = 1;
      b[HALF_OVER - 1] = 2;
      SerializableCallable<String> task = () -> a[0] + " " + b[HALF_OVER - 1] + " " + ((long) a.length + b.length);
      if (roomForBothWays(pool, 2L * HALF_OVER)) {
        assertEquals("1 2 " + 2L * HALF_OVER, pool.submit(task).get(240, TimeUnit.SECONDS));
      } else {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.submit(task));
        assertInstanceOf(PayloadTooLargeException.class, e.getCause(), String.valueOf(e.getCause()));
      }
      assertEquals(3, pool.submit(() -> 3).get(60, TimeUnit.SECONDS));
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS) // page faults: 40 s on idle cores here, several times that on busy ones
  void aResultOver2GB_travelsThroughTheRegion_orFailsItsTaskWhereItHasNoRoom() throws Exception {
    try (ProcessPool pool = open(1)) {
      long pid = pool.submit(() -> Worker.current().pid()).get(60, TimeUnit.SECONDS);
      int n = HALF_OVER / 4; // one double[] of 2.2 GB: a part of its own, larger than any byte[] can be
      TaskFuture<double[]> f = pool.submit(() -> {
        double[] x = new double[n];
        x[0] = 5;
        x[n - 1] = 6;
        return x;
      });
      if (roomForBothWays(pool, 8L * n)) {
        double[] back = f.get(240, TimeUnit.SECONDS);
        assertEquals(n, back.length);
        assertEquals(5, back[0]);
        assertEquals(6, back[n - 1]);
        assertEquals(0, back[1] + back[n - 2]);
      } else {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(240, TimeUnit.SECONDS));
        assertInstanceOf(PayloadTooLargeException.class, e.getCause(), String.valueOf(e.getCause()));
      }
      assertEquals(pid, pool.submit(() -> Worker.current().pid()).get(60, TimeUnit.SECONDS),
          "the same worker serves on");
    }
  }

  @Test
  void regionCarriesAPayloadWithParts_eachPartReadIntoItsOwnArray(@TempDir Path dir) throws Exception {
    Region.Out out = new Region.Out(dir, "2-in-");
    Region.In in = new Region.In(dir, "2-in-");
    try {
      long[] longs = new Random(4).longs(10_001).toArray();
      char[] chars = "unipool".repeat(3_000).toCharArray();
      Codec.Encoded sent = new Codec.Encoded(Codec.PARTS, pattern(33, 1),
          List.of(pattern(70_000, 2), longs, pattern(5, 3), chars)); // odd sizes: parts start unaligned
      Region.Ticket t = out.take(sent.wireLength());
      assertNotNull(t);
      t.fill(sent);
      Codec.Encoded got = in.read(Codec.PARTS, t.generation(), t.capacity(), t.length());
      assertArrayEquals(sent.body(), got.body());
      assertEquals(4, got.parts().size());
      assertArrayEquals(pattern(70_000, 2), (byte[]) got.parts().get(0));
      assertArrayEquals(longs, assertInstanceOf(long[].class, got.parts().get(1)));
      assertArrayEquals(pattern(5, 3), (byte[]) got.parts().get(2));
      assertArrayEquals(chars, assertInstanceOf(char[].class, got.parts().get(3)));
      assertNotNull(out.take(1), "free again once read");
    } finally {
      out.close();
      in.close();
    }
  }

  @Test
  void regionOut_whileBusy_refuses_andAfterTheReaderReadIt_growsIntoANewGeneration(@TempDir Path dir) throws Exception {
    Region.Out out = new Region.Out(dir, "1-out-");
    Region.In in = new Region.In(dir, "1-out-");
    try {
      Region.Ticket a = out.take(10);
      assertNotNull(a);
      assertNull(out.take(10), "busy until the reader has read it");
      a.fill(new Codec.Encoded((byte) 4, pattern(10, 3)));
      assertArrayEquals(pattern(10, 3), in.read((byte) 4, a.generation(), a.capacity(), a.length()).body());
      try (Stream<Path> files = Files.list(dir)) {
        assertEquals(0, files.count(), "the reader unlinks a region once it has mapped it");
      }
      Region.Ticket b = out.take(a.capacity()); // does not fit: a new generation
      assertNotNull(b);
      assertEquals(a.generation() + 1, b.generation());
      byte[] big = pattern((int) a.capacity(), 4);
      b.fill(new Codec.Encoded((byte) 4, big));
      assertArrayEquals(big, in.read((byte) 4, b.generation(), b.capacity(), b.length()).body());
      Region.Ticket c = out.take(5); // fits: the same generation again
      assertNotNull(c);
      assertEquals(b.generation(), c.generation());
    } finally {
      out.close();
      in.close();
    }
  }
}
