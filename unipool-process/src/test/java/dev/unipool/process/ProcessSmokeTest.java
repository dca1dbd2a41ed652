package dev.unipool.process;

import static org.junit.jupiter.api.Assertions.*;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import dev.unipool.Worker;
import dev.unipool.WorkerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** An end-to-end pass over the main paths (tiny tasks, map, a large payload) with correctness checks. */
class ProcessSmokeTest {
  @Test
  void runsInOtherProcesses() throws Exception {
    long t0 = System.nanoTime();
    try (Pool pool = Pool.of(Backend.processes(2))) {
      TaskFuture<WorkerInfo> f = pool.submit(() -> Worker.current());
      WorkerInfo w = f.get(30, TimeUnit.SECONDS);
      System.out.println("first result after " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + w);
      assertNotEquals(ProcessHandle.current().pid(), w.pid());
      assertEquals(w.pid(), f.worker().orElseThrow().pid());
      List<Integer> sq = pool.map(x -> x * x, IntStream.range(0, 1000).boxed().toList());
      assertEquals(998001, sq.get(999));
      long t1 = System.nanoTime();
      List<TaskFuture<Integer>> fs = new ArrayList<>();
      for (int i = 0; i < 100_000; i++) {
        fs.add(pool.submit(() -> 1));
      }
      int sum = 0;
      for (var x : fs) sum += x.get();
      double secs = (System.nanoTime() - t1) / 1e9;
      System.out.printf("100k trivial tasks: %.0f tasks/s%n", 100_000 / secs);
      assertEquals(100_000, sum);
      long t2 = System.nanoTime();
      for (int i = 0; i < 2000; i++) pool.submit(() -> 1).get();
      System.out.printf("round trip: %.1f us%n", (System.nanoTime() - t2) / 2000 / 1e3);
      long t3 = System.nanoTime();
      List<Integer> big = pool.map(x -> x + 1, IntStream.range(0, 1_000_000).boxed().toList());
      assertEquals(1_000_000, big.getLast());
      System.out.printf("map 1M: %.0f items/s%n", 1e6 / ((System.nanoTime() - t3) / 1e9));
      assertEquals(1_000_000, big.size());
      byte[] payload = new byte[20 << 20]; // above the size that leaves straight from the array
      payload[12345] = 7;
      payload[payload.length - 1] = 9;
      byte[] back = pool.submit(() -> payload).get();
      assertEquals(payload.length, back.length);
      assertEquals(7, back[12345]);
      assertEquals(9, back[back.length - 1]);
    }
  }
}
