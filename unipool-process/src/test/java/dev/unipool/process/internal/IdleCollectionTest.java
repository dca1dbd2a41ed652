package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** When a worker collects at idle: only when the next payload like the last large one would not fit. */
class IdleCollectionTest {
  private static final long MB = 1 << 20;
  private final AtomicInteger collections = new AtomicInteger();
  private @Nullable MemoryUsage old = usage(40 * MB, 64 * MB);

  private static MemoryUsage usage(long used, long committed) {
    return new MemoryUsage(0, used, committed, 256 * MB);
  }

  private IdleCollection collector() {
    return new IdleCollection(() -> old, collections::incrementAndGet);
  }

  @Test
  void nothingLargeSeen_noCollection() {
    IdleCollection c = collector();
    assertFalse(c.idle());
    c.saw(Region.THRESHOLD - 1);
    assertFalse(c.idle(), "a payload below the shared-memory threshold does not count");
    assertEquals(0, collections.get());
  }

  @Test
  void largePayloadThatStillFits_noCollection() {
    IdleCollection c = collector();
    c.saw(24 * MB); // 24 MB free
    assertFalse(c.idle());
    assertEquals(0, collections.get());
  }

  @Test
  void largePayloadThatWouldNotFit_collectsOnce_untilTheNextOne() {
    IdleCollection c = collector();
    c.saw(2 * MB);
    c.saw(25 * MB);
    c.saw(3 * MB);
    assertTrue(c.idle(), "the largest payload, 25 MB, does not fit in 24 MB");
    assertEquals(1, collections.get());
    assertFalse(c.idle(), "nothing new since");
    assertEquals(1, collections.get());
  }

  @Test
  void noSerialOldGeneration_noCollection() {
    old = null;
    IdleCollection c = collector();
    c.saw(100 * MB);
    assertFalse(c.idle());
    assertEquals(0, collections.get());
  }
}
