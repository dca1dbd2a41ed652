package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Pool;
import dev.unipool.Shared;
import dev.unipool.TaskFuture;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code pool.share(...)}: a read-only input every task reads through its handle, valid until the handle or
 * the pool closes. A backend that cannot share (a cluster, whose members are other machines) must refuse
 * with {@link UnsupportedOperationException}; the tests then skip, and only for such backends.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface SharedContract extends PoolFixture {
  /** Shares {@code data}, or skips the test on a backend whose workers are machines it does not own. */
  private Shared shareOrSkip(Pool p, byte[] data) {
    try {
      return p.share(data);
    } catch (UnsupportedOperationException e) {
      Capabilities c = capabilities();
      Assumptions.assumeFalse(c.workersAreProcesses() && !c.ownsWorkerProcesses(),
          "this backend's workers cannot map this machine's memory: " + e.getMessage());
      throw e;
    }
  }

  /** A sum that any lost, moved or changed byte alters. */
  static long checksum(MemorySegment s) {
    long sum = 0;
    for (long i = 0; i < s.byteSize(); i++) {
      sum = sum * 31 + s.get(ValueLayout.JAVA_BYTE, i);
    }
    return sum;
  }

  @Test
  default void share_readByManyTasks_everyTaskSeesTheSameBytes() throws Exception {
    byte[] data = new byte[(1 << 20) + 17];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7 + (i >>> 9));
    }
    long expected = checksum(MemorySegment.ofArray(data));
    try (Shared shared = shareOrSkip(pool(), data)) {
      assertEquals(data.length, shared.byteSize(), "byteSize");
      assertTrue(shared.segment().isReadOnly(), "the maker's segment is read-only");
      List<TaskFuture<Long>> sums = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        sums.add(pool().submit(() -> {
          MemorySegment s = shared.segment();
          if (!s.isReadOnly()) {
            throw new ContractException("a task's segment is writable", 1);
          }
          return checksum(s);
        }));
      }
      for (TaskFuture<Long> f : sums) {
        assertEquals(expected, get(f), "checksum read by a task");
      }
    }
  }

  @Test
  default void share_closedHandle_isRefusedWithAClearMessage() {
    Shared shared = shareOrSkip(pool(), new byte[] {1, 2, 3});
    shared.close();
    shared.close(); // idempotent
    IllegalStateException e = assertThrows(IllegalStateException.class, shared::segment);
    assertTrue(String.valueOf(e.getMessage()).contains("closed"), e.getMessage());
  }

  @Test
  default void share_afterShutdown_isRefusedWithAClearMessage() {
    Pool p = newPool(options());
    p.shutdown();
    RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> p.share(new byte[] {1}));
    assertTrue(String.valueOf(e.getMessage()).contains("shut down"), e.getMessage());
  }

  @Test
  default void share_handlesOfAClosedPool_areClosed() {
    Pool p = newPool(options());
    Shared shared = shareOrSkip(p, new byte[] {4, 5, 6});
    assertEquals(3, shared.segment().byteSize());
    p.close();
    assertThrows(IllegalStateException.class, shared::segment, "a pool's termination closes its handles");
  }
}
