package dev.unipool.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UnipoolMetricsTest {
  @Test
  void bindTo_exposesCountersGaugesAndATimerFromStats() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Pool pool = Pool.of(Backend.threads(2), PoolOptions.defaults().name("metered"))) {
      new UnipoolMetrics(pool, Tags.of("app", "test"), 0).bindTo(registry); // every read a fresh snapshot
      for (int i = 0; i < 3; i++) {
        pool.submit(() -> 1).get();
      }
      assertThrows(ExecutionException.class, () -> pool.submit(() -> {
        throw new IllegalStateException("boom");
      }).get());

      assertEquals(4, registry.get("unipool.tasks.submitted").tags("pool", "metered", "backend", "threads:2", "app", "test")
          .functionCounter().count());
      assertEquals(3, registry.get("unipool.tasks.finished").tag("outcome", "completed").functionCounter().count());
      assertEquals(1, registry.get("unipool.tasks.finished").tag("outcome", "failed").functionCounter().count());
      assertEquals(0, registry.get("unipool.tasks.finished").tag("outcome", "cancelled").functionCounter().count());
      assertEquals(0, registry.get("unipool.tasks.running").gauge().value());
      assertEquals(0, registry.get("unipool.tasks.queued").gauge().value());
      FunctionTimer timer = registry.get("unipool.tasks").functionTimer();
      assertEquals(4, timer.count());
      assertTrue(timer.totalTime(TimeUnit.NANOSECONDS) >= 0);
      double workers = registry.get("unipool.workers").gauges().stream().mapToDouble(g -> g.value()).sum();
      assertEquals(pool.stats().workers().size(), workers);
      assertEquals(0, registry.get("unipool.workers.restarts").functionCounter().count());
      assertEquals(0, registry.get("unipool.workers.serialization").tag("direction", "encode").functionCounter().count());
      assertEquals(0, registry.get("unipool.workers.memory").gauge().value(), "in-process workers report no RSS");
    }
  }

  @Test
  void aScrape_readsOneSnapshot_forAllItsMeters() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Pool pool = Pool.of(Backend.inline())) {
      pool.submit(() -> 1).get();
      new UnipoolMetrics(pool).bindTo(registry); // the default: one snapshot serves reads within 100 ms
      assertEquals(1, registry.get("unipool.tasks.submitted").functionCounter().count());
      assertEquals(1, registry.get("unipool.tasks.finished").tag("outcome", "completed").functionCounter().count());
    }
  }
}
