package dev.unipool.spi;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Lincheck model checking of {@link QueueSlots}' non-blocking operations: taking, giving back and closing
 * must be linearizable, so no slot is lost or granted twice under any interleaving.
 */
public class QueueSlotsLincheckTest {
  private final QueueSlots slots = new QueueSlots(2);

  /** For Lincheck: each scenario starts with two free slots. */
  public QueueSlotsLincheckTest() {}

  @Operation
  public boolean tryAcquire() {
    return slots.tryAcquire();
  }

  @Operation
  public void release() {
    slots.release();
  }

  @Operation
  public void close() {
    slots.close();
  }

  @Operation
  public int used() {
    return slots.used();
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions().iterations(30).invocationsPerIteration(2_000).check(QueueSlotsLincheckTest.class);
  }
}
