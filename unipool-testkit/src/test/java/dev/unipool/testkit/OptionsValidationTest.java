package dev.unipool.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.unipool.MapOptions;
import dev.unipool.Overflow;
import dev.unipool.PoolOptions;
import dev.unipool.TaskOptions;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The option values check their components and say what was wrong, with the offending value. */
class OptionsValidationTest {

  private static void assertRejected(String message, Executable e) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, e).getMessage());
  }

  @Test
  void poolOptions_defaults() {
    PoolOptions d = PoolOptions.defaults();
    assertEquals(0, d.queueCapacity());
    assertEquals(Overflow.BLOCK, d.overflow());
    assertNull(d.taskTimeout());
    assertEquals(0, d.retries());
    assertSame(PoolOptions.LOG_UNCAUGHT, d.uncaughtHandler());
    assertEquals("unipool", d.name());
  }

  @Test
  void poolOptions_withMethods_returnNewValuesAndLeaveTheOriginal() {
    PoolOptions d = PoolOptions.defaults();
    Consumer<Throwable> handler = e -> {};
    PoolOptions o = d.queue(10, Overflow.REJECT).taskTimeout(Duration.ofSeconds(3)).retries(2)
        .uncaughtHandler(handler).name("mine");
    assertEquals(new PoolOptions(10, Overflow.REJECT, Duration.ofSeconds(3), 2, handler, "mine"), o);
    assertNotSame(d, o);
    assertEquals(0, d.queueCapacity());
    assertNull(d.taskTimeout());
    assertEquals("unipool", d.name());
  }

  @Test
  void poolOptions_invalidValues_areRejectedWithTheValue() {
    PoolOptions d = PoolOptions.defaults();
    assertRejected("queue capacity must be at least 1, got 0", () -> d.queue(0, Overflow.BLOCK));
    assertRejected("queue capacity must be at least 1, got -5", () -> d.queue(-5, Overflow.REJECT));
    assertRejected("queue capacity must be 0 (unbounded) or positive, got -1",
        () -> new PoolOptions(-1, Overflow.BLOCK, null, 0, PoolOptions.LOG_UNCAUGHT, "x"));
    assertRejected("task timeout must be positive, got PT0S", () -> d.taskTimeout(Duration.ZERO));
    assertRejected("task timeout must be positive, got PT-1S", () -> d.taskTimeout(Duration.ofSeconds(-1)));
    assertRejected("retries must be 0 or more, got -1", () -> d.retries(-1));
    assertRejected("name must not be blank", () -> d.name(" "));
  }

  @Test
  void poolOptions_nulls_areRejectedWithTheComponentName() {
    PoolOptions d = PoolOptions.defaults();
    assertEquals("overflow", assertThrows(NullPointerException.class, () -> d.queue(1, null)).getMessage());
    assertEquals("uncaughtHandler",
        assertThrows(NullPointerException.class, () -> d.uncaughtHandler(null)).getMessage());
    assertEquals("name", assertThrows(NullPointerException.class, () -> d.name(null)).getMessage());
  }

  @Test
  void taskOptions_none_changesNothing() {
    assertNull(TaskOptions.none().timeout());
    assertEquals(-1, TaskOptions.none().retries());
    assertEquals(new TaskOptions(Duration.ofSeconds(2), -1), TaskOptions.timeout(Duration.ofSeconds(2)));
    assertEquals(new TaskOptions(Duration.ofSeconds(2), 3), TaskOptions.timeout(Duration.ofSeconds(2)).withRetries(3));
    assertEquals(
        new TaskOptions(Duration.ofMillis(5), 0), TaskOptions.none().withRetries(0).withTimeout(Duration.ofMillis(5)));
  }

  @Test
  void taskOptions_invalidValues_areRejectedWithTheValue() {
    assertRejected("task timeout must be positive, got PT0S", () -> TaskOptions.timeout(Duration.ZERO));
    assertRejected("task timeout must be positive, got PT-0.001S", () -> TaskOptions.timeout(Duration.ofMillis(-1)));
    assertRejected("task timeout must be positive, got PT0S", () -> TaskOptions.none().withTimeout(Duration.ZERO));
    assertRejected("retries must be 0 or more, got -1", () -> TaskOptions.none().withRetries(-1));
    assertRejected("retries must be 0 or more, got -2", () -> new TaskOptions(null, -2));
  }

  @Test
  void mapOptions_autoAndChunkSize() {
    assertEquals(new MapOptions(0, 0), MapOptions.auto());
    assertEquals(new MapOptions(7, 0), MapOptions.chunkSize(7));
    assertEquals(new MapOptions(7, 3), MapOptions.chunkSize(7).withMaxInFlight(3));
    assertEquals(new MapOptions(0, 3), MapOptions.auto().withMaxInFlight(3));
  }

  @Test
  void mapOptions_invalidValues_areRejectedWithTheValue() {
    assertRejected("chunk size must be at least 1, got 0", () -> MapOptions.chunkSize(0));
    assertRejected("chunk size must be at least 1, got -3", () -> MapOptions.chunkSize(-3));
    assertRejected("max in flight must be at least 1, got 0", () -> MapOptions.auto().withMaxInFlight(0));
    assertRejected("chunk size must be at least 1 (or 0 for automatic), got -1", () -> new MapOptions(-1, 0));
    assertRejected("max in flight must be at least 1 (or 0 for automatic), got -1", () -> new MapOptions(0, -1));
  }
}
