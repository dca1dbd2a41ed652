package dev.unipool.cli.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.unipool.Backend;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The {@code hazelcast-raw} baseline of {@code bench --cluster}: Hazelcast's own {@link IExecutorService}
 * on the same members and the same executor (so the same task threads) as the unipool cluster pool, used
 * as a Hazelcast user would, through a client of its own. It measures the sequential round trip
 * ({@code submit(task).get()}) and per-item submission (one task per item, all in flight), the two
 * figures issue 6's bars compare unipool with.
 *
 * <p>Its tasks are small {@link Serializable} records on the members' class path ({@code unipool member}
 * has the CLI's), the cheapest tasks raw Hazelcast can send: no captured lambda to serialize. Members
 * started by {@code unipool member} admit these two classes, and no other foreign ones, through their
 * filter on Hazelcast's Java serialization ({@link #TASK_CLASSES}).
 */
public final class RawHazelcast implements AutoCloseable {
  /** The contender's name in reports. */
  static final String NAME = "hazelcast-raw";

  /**
   * The classes of its tasks: {@code unipool member} admits exactly these through its filter on
   * Hazelcast's Java serialization, which refuses every other class that is not Hazelcast's own.
   */
  public static final List<String> TASK_CLASSES = List.of(One.class.getName(), Inc.class.getName());

  /** The workloads it measures; the others are n/a. */
  static final Set<Workload> MEASURED = EnumSet.of(Workload.ROUNDTRIP, Workload.MAP);

  /** The executor {@code unipool member} configures for tasks, with {@code --threads} threads. */
  private static final String EXECUTOR = "unipool";

  private static final long GATHER_TIMEOUT_MINUTES = 10;

  private final HazelcastInstance client;
  private final IExecutorService executor;

  /** The round trip's task. */
  record One() implements Callable<Integer>, Serializable {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Integer call() {
      return 1;
    }
  }

  /**
   * One item's task: the same work as the suite's {@code map} (x + 1).
   *
   * @param x the item
   */
  record Inc(int x) implements Callable<Integer>, Serializable {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Integer call() {
      return x + 1;
    }
  }

  private RawHazelcast(HazelcastInstance client) {
    this.client = client;
    this.executor = client.getExecutorService(EXECUTOR);
  }

  /**
   * Connects a Hazelcast client of its own to the cluster a unipool backend names.
   *
   * @param cluster the members, cluster name and connect timeout
   * @return the connected baseline
   * @throws IllegalStateException if no cluster name was given and this user has none
   * @throws RuntimeException (Hazelcast's) if no member answers within the connect timeout
   */
  static RawHazelcast connect(Backend.Cluster cluster) {
    ClientConfig cc = new ClientConfig();
    cc.setClusterName(cluster.resolvedClusterName()); // as the unipool pool does: given, or this user's
    cc.getNetworkConfig().setAddresses(cluster.addresses().stream().map(String::strip).toList());
    cc.getConnectionStrategyConfig().getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(cluster.connectTimeout().toMillis());
    if (System.getProperty("hazelcast.logging.type") == null) {
      cc.setProperty("hazelcast.logging.type", "jdk"); // the unipool pool opened first has quieted its loggers
    }
    return new RawHazelcast(HazelcastClient.newHazelcastClient(cc));
  }

  /** Runs one repetition of a workload in {@link #MEASURED}. */
  void run(Workload w, Mode m, Figure f) throws Exception {
    switch (w) {
      case ROUNDTRIP -> roundTrip(m.roundTrips(), f);
      case MAP -> perItem(m.rawItems(), f);
      default -> throw new IllegalStateException(NAME + " does not measure " + w.id);
    }
  }

  private void roundTrip(int calls, Figure f) throws Exception {
    One one = new One();
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long t0 = System.nanoTime();
      executor.submit(one).get(GATHER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
      nanos[i] = System.nanoTime() - t0;
    }
    f.params.put("calls", calls);
    f.note("IExecutorService.submit(task).get(), task a Serializable record");
    f.add(Figure.median(nanos) / 1e3);
  }

  private void perItem(int items, Figure f) throws Exception {
    List<Future<Integer>> futures = new ArrayList<>(items);
    long t0 = System.nanoTime();
    for (int i = 0; i < items; i++) {
      futures.add(executor.submit(new Inc(i)));
    }
    for (int i = 0; i < items; i++) {
      int result = futures.get(i).get(GATHER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
      if (result != i + 1) {
        throw new IllegalStateException("raw task " + i + " returned " + result);
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    f.params.put("items", items);
    f.params.put("chunking", "none: one IExecutorService task per item");
    f.note(String.format("one raw task per item, %,d items submitted at once (fewer than the unipool map row's:"
        + " items/s compare, times do not)", items));
    f.add(items / seconds);
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
