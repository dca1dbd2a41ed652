package dev.unipool.hazelcast;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.unipool.MapOptions;
import dev.unipool.Pool;
import dev.unipool.SerializableCallable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * A quick, manual measurement (not a test): per-task round trip of a unipool cluster pool against raw
 * Hazelcast {@link IExecutorService} on the same two local members, and {@code map} with chunking against
 * raw per-task submission. Run with the test class path:
 * {@code java -cp <test class path> dev.unipool.hazelcast.RoundTripBench}.
 */
public final class RoundTripBench {
  private static final int WARMUP = 3_000;
  private static final int ROUNDS = 5;
  private static final int TRIPS = 2_000;
  private static final int RAW_ITEMS = 20_000;
  private static final int MAP_ITEMS = 200_000;

  private RoundTripBench() {}

  /**
   * Runs the measurement.
   *
   * @param args ignored
   * @throws Exception if anything fails
   */
  public static void main(String[] args) throws Exception {
    try (TestCluster cluster = TestCluster.start(2, false)) {
      ClientConfig cc = new ClientConfig();
      cc.setClusterName(cluster.name());
      cc.getNetworkConfig().setAddresses(cluster.addresses());
      cc.setProperty("hazelcast.logging.type", "none");
      HazelcastInstance raw = HazelcastClient.newHazelcastClient(cc);
      IExecutorService ex = raw.getExecutorService("unipool");
      List<Member> members = new ArrayList<>(raw.getCluster().getMembers());
      try (Pool pool = Pool.of(cluster.backend())) {
        SerializableCallable<Integer> one = () -> 1;
        for (int i = 0; i < WARMUP; i++) {
          ex.submitToMember(one, members.get(i % 2)).get();
          pool.submit(() -> 1).get();
        }
        double[] rawUs = new double[ROUNDS];
        double[] poolUs = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) { // interleaved, so load from other users of the machine hits both
          long t0 = System.nanoTime();
          for (int i = 0; i < TRIPS; i++) {
            ex.submitToMember(one, members.get(i % 2)).get();
          }
          rawUs[r] = (System.nanoTime() - t0) / 1e3 / TRIPS;
          t0 = System.nanoTime();
          for (int i = 0; i < TRIPS; i++) {
            pool.submit(() -> 1).get();
          }
          poolUs[r] = (System.nanoTime() - t0) / 1e3 / TRIPS;
        }
        Arrays.sort(rawUs);
        Arrays.sort(poolUs);
        System.out.printf("round trip, median of %d rounds of %d: raw IExecutorService %.1f us, unipool %.1f us (%+.0f%%)%n",
            ROUNDS, TRIPS, rawUs[ROUNDS / 2], poolUs[ROUNDS / 2], 100 * (poolUs[ROUNDS / 2] / rawUs[ROUNDS / 2] - 1));
        System.out.println("  raw rounds " + Arrays.toString(rawUs) + "\n  unipool rounds " + Arrays.toString(poolUs));

        // Throughput on small items: raw submits one task per item (all in flight), unipool maps in chunks.
        List<Integer> rawItems = IntStream.range(0, RAW_ITEMS).boxed().toList();
        long t0 = System.nanoTime();
        List<Future<Integer>> fs = new ArrayList<>(RAW_ITEMS);
        for (int x : rawItems) {
          SerializableCallable<Integer> task = () -> x * 2;
          fs.add(ex.submitToMember(task, members.get(x % 2)));
        }
        long sum = 0;
        for (Future<Integer> f : fs) {
          sum += f.get();
        }
        double rawPerSec = RAW_ITEMS / ((System.nanoTime() - t0) / 1e9);
        List<Integer> items = IntStream.range(0, MAP_ITEMS).boxed().toList();
        pool.map(x -> x * 2, items); // warm-up
        t0 = System.nanoTime();
        List<Integer> out = pool.map(x -> x * 2, items);
        double mapPerSec = MAP_ITEMS / ((System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();
        List<Integer> one1 = pool.map(x -> x * 2, items.subList(0, RAW_ITEMS), MapOptions.chunkSize(1));
        double chunk1PerSec = RAW_ITEMS / ((System.nanoTime() - t0) / 1e9);
        System.out.printf("small items: raw per-task %.0f items/s, unipool map (auto chunks) %.0f items/s (%.0fx),"
            + " unipool map chunk 1 %.0f items/s [check %d %d %d]%n",
            rawPerSec, mapPerSec, mapPerSec / rawPerSec, chunk1PerSec, sum, out.size(), one1.size());
      } finally {
        raw.shutdown();
      }
    }
  }
}
