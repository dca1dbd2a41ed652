package dev.unipool.process.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs, while a worker is idle, the collection that its next large payload would otherwise run inside the
 * next task's decoding.
 *
 * <p>Why: a worker's arrays of a megabyte or more go straight to the old generation ({@code
 * -XX:PretenureSizeThreshold=1m}, see {@link WorkerLaunch}). Once the last payload's arrays are garbage,
 * the next payload of that size finds the old generation full, and the serial collector stops the worker
 * for a full collection while it allocates the array: some 15 ms of a 100 MB round trip's 65 on 2 cores.
 * Run when the worker has answered and nothing waits, the same collection costs nobody anything.
 *
 * <p>It collects only after a payload of {@link Region#THRESHOLD} bytes or more, and only when the old
 * generation has less room left than that payload took, so exactly when the next one like it would
 * collect anyway: it moves collections, it adds none. Only under the serial collector (the worker's
 * default); a collector the user chose through {@code jvmArgs} is left alone, and so is a JVM where explicit
 * collections are disabled (they then do nothing).
 *
 * <p>Threading: both of a {@link TaskLoop}'s threads may call it. Calls without a large payload to note or
 * collect for (nearly every call) take no lock.
 */
final class IdleCollection {
  /** The serial collector's old generation, as the JDK names its memory pool. */
  static final String SERIAL_OLD = "Tenured Gen";

  private final Supplier<@Nullable MemoryUsage> oldGeneration;
  private final Runnable collect;
  private volatile long largest; // written under this object's lock

  /** For a worker: the serial collector's old generation, and {@link System#gc()}. */
  IdleCollection() {
    this(new Supplier<>() {
      private @Nullable MemoryPoolMXBean pool;
      private boolean looked;

      @Override
      public @Nullable MemoryUsage get() {
        if (!looked) { // the management classes load only once a large payload has been seen
          looked = true;
          pool = ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(p -> p.getName().equals(SERIAL_OLD)).findFirst().orElse(null);
        }
        MemoryPoolMXBean p = pool;
        return p == null ? null : p.getUsage();
      }
    }, System::gc);
  }

  /**
   * @param oldGeneration the old generation's usage now, or null if the JVM has no serial old generation
   * @param collect runs a full collection
   */
  IdleCollection(Supplier<@Nullable MemoryUsage> oldGeneration, Runnable collect) {
    this.oldGeneration = oldGeneration;
    this.collect = collect;
  }

  /**
   * Notes a payload that came in or went out.
   *
   * @param bytes its wire length
   */
  void saw(long bytes) {
    if (bytes < Region.THRESHOLD) {
      return;
    }
    synchronized (this) {
      if (bytes > largest) {
        largest = bytes;
      }
    }
  }

  /**
   * The worker has answered and has nothing queued: collects now if the largest payload seen since the
   * last call would not fit in the old generation's free room.
   *
   * @return whether it collected
   */
  boolean idle() {
    if (largest == 0) {
      return false;
    }
    long payload;
    synchronized (this) {
      payload = largest;
      largest = 0;
    }
    if (payload == 0) {
      return false; // the other thread took it meanwhile
    }
    MemoryUsage old = oldGeneration.get();
    if (old == null || old.getCommitted() - old.getUsed() >= payload) {
      return false;
    }
    collect.run();
    return true;
  }
}
