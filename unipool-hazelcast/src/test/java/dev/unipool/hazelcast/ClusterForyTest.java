package dev.unipool.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import dev.unipool.remote.Codec;
import dev.unipool.testkit.SystemProperty;
import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Apache Fory through the cluster envelope, both ways: the client and a member both in
 * {@code -Dunipool.codec=fory} (the default reaches Fory only after a pool's first few objects).
 */
class ClusterForyTest {
  private static final long WAIT = 60;
  private static @Nullable SystemProperty codec;
  private static @Nullable TestCluster cluster;
  private static @Nullable Pool pool;

  record Order(String item, int quantity, List<String> notes) implements Serializable {}

  static final class Rejected extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;
    final int reason;

    Rejected(int reason) {
      super("rejected: " + reason);
      this.reason = reason;
    }
  }

  @BeforeAll
  static void start() {
    codec = SystemProperty.set(Codec.MODE_PROPERTY, "fory"); // read by the pool's codec and passed to the member
    cluster = TestCluster.start(1);
    pool = Pool.of(cluster.backend());
  }

  @AfterAll
  static void stop() {
    try {
      if (pool != null) {
        pool.close();
      }
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      if (codec != null) {
        codec.close();
      }
    }
  }

  private static Pool pool() {
    return Objects.requireNonNull(pool);
  }

  @Test
  void recordsGoOutAndComeBack() throws Exception {
    Order order = new Order("pen", 3, List.of("blue"));
    TaskFuture<Order> f = pool().submit(() -> new Order(order.item() + "s", order.quantity() * 2, order.notes()));
    assertEquals(new Order("pens", 6, List.of("blue")), f.get(WAIT, TimeUnit.SECONDS));
    assertTrue(f.worker().orElseThrow().pid() != ProcessHandle.current().pid(), "ran on the member");
  }

  @Test
  void exceptionsKeepTheirTypeAndFields() {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> pool().submit(() -> {
          throw new Rejected(7);
        }).get(WAIT, TimeUnit.SECONDS));
    assertEquals(7, assertInstanceOf(Rejected.class, e.getCause()).reason);
  }

  @Test
  void mapChunksRoundTrip() {
    List<Integer> items = IntStream.range(0, 5_000).boxed().toList();
    List<String> out = pool().map(i -> "#" + i, items);
    assertEquals(items.size(), out.size());
    for (int i = 0; i < items.size(); i++) {
      assertEquals("#" + i, out.get(i));
    }
  }
}
