package dev.unipool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Pool#awaitReady} on the in-process backends: nothing to wait for, but not after shutdown. */
class PoolAwaitReadyTest {
  private static Backend backend(String name) {
    return switch (name) {
      case "inline" -> Backend.inline();
      case "threads" -> Backend.threads(2);
      case "virtual" -> Backend.virtual();
      default -> Backend.auto();
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"inline", "threads", "virtual", "auto"})
  void readyAtOnce_untilShutDown(String name) throws Exception {
    Pool pool = Pool.of(backend(name));
    try {
      assertTrue(pool.awaitReady(Duration.ZERO));
      assertEquals(3, pool.submit(() -> 3).get(60, TimeUnit.SECONDS));
    } finally {
      pool.close();
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.awaitReady(Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("shut down"), e.getMessage());
  }
}
