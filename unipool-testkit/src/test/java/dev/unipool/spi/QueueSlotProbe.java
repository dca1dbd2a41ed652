package dev.unipool.spi;

import dev.unipool.Pool;

/** Reads a pool's bounded-queue slots for the contract's after-test checks (tests run on the class path). */
public final class QueueSlotProbe {
  private QueueSlotProbe() {}

  /**
   * The queue slots {@code p} holds now.
   *
   * @param p a pool
   * @return the slots taken, or 0 if {@code p} is not an {@link AbstractPool}
   */
  public static int taken(Pool p) {
    return p instanceof AbstractPool a ? a.queueSlotsTaken() : 0;
  }
}
