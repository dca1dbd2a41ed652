package dev.unipool.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bounded queue's slots: a semaphore that can be closed. */
@Timeout(60)
class QueueSlotsTest {
  @Test
  void tryAcquire_takesUpToTheCapacity_andAReleasedSlotIsFreeAgain() {
    QueueSlots slots = new QueueSlots(2);
    assertTrue(slots.tryAcquire());
    assertTrue(slots.tryAcquire());
    assertFalse(slots.tryAcquire(), "a third slot out of two");
    assertEquals(2, slots.used());
    slots.release();
    assertEquals(1, slots.used());
    assertTrue(slots.tryAcquire());
    assertFalse(slots.tryAcquire());
  }

  @Test
  void acquire_whenFull_waitsUntilASlotIsReleased() throws Exception {
    QueueSlots slots = new QueueSlots(1);
    assertTrue(slots.acquire());
    Waiter w = acquireOnAnotherThread(slots);
    assertFalse(w.result.isDone(), "acquired a slot that is taken");
    slots.release();
    assertTrue(w.result.get(30, TimeUnit.SECONDS));
    assertEquals(1, slots.used(), "the waiter holds the released slot");
  }

  @Test
  void close_wakesAWaitingAcquirer_whoGivesUp() throws Exception {
    QueueSlots slots = new QueueSlots(1);
    assertTrue(slots.tryAcquire());
    Waiter w = acquireOnAnotherThread(slots);
    slots.close();
    assertFalse(w.result.get(30, TimeUnit.SECONDS), "a closed, full queue must not keep its submitters");
    assertEquals(1, slots.used(), "giving up takes no slot");
  }

  @Test
  void close_stillGrantsAFreeSlot() throws Exception {
    // Only a submitter who would have to wait gives up; the pool's own shutdown check rejects the rest.
    QueueSlots slots = new QueueSlots(1);
    slots.close();
    assertTrue(slots.acquire());
  }

  @Test
  void interruptedAcquirer_throwsAndTakesNoSlot() throws Exception {
    QueueSlots slots = new QueueSlots(1);
    assertTrue(slots.tryAcquire());
    Waiter w = acquireOnAnotherThread(slots);
    w.thread.interrupt();
    ExecutionException e = assertThrows(w);
    assertInstanceOf(InterruptedException.class, e.getCause());
    assertEquals(1, slots.used());
    slots.release();
    assertEquals(0, slots.used());
  }

  @Test
  void manyThreads_neverHoldMoreThanTheCapacity_andGiveEverySlotBack() throws Exception {
    int capacity = 3;
    int threads = 6;
    int rounds = 5_000;
    QueueSlots slots = new QueueSlots(capacity);
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(threads);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      done.add(f);
      boolean blocking = t % 2 == 0;
      Thread.ofPlatform().start(() -> {
        try {
          start.await();
          for (int i = 0; i < rounds; i++) {
            if (blocking ? slots.acquire() : slots.tryAcquire()) {
              most.accumulateAndGet(holding.incrementAndGet(), Math::max);
              holding.decrementAndGet();
              slots.release();
            }
          }
          f.complete(null);
        } catch (Throwable e) {
          f.completeExceptionally(e);
        }
      });
    }
    for (CompletableFuture<Void> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    assertTrue(most.get() <= capacity, () -> most.get() + " slots held at once, capacity " + capacity);
    assertEquals(0, slots.used(), "a slot was lost or given back twice");
  }

  private record Waiter(CompletableFuture<Boolean> result, Thread thread) {}

  /** Calls {@code acquire} on a new thread and returns once that thread waits for a slot. */
  private static Waiter acquireOnAnotherThread(QueueSlots slots) throws InterruptedException {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Thread t = Thread.ofPlatform().start(() -> {
      try {
        result.complete(slots.acquire());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    awaitWaiting(t);
    return new Waiter(result, t);
  }

  /** Polls the thread's state (bounded): parked on the condition, or finished, which the caller then sees. */
  static void awaitWaiting(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TERMINATED) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(t + " never waited: " + t.getState());
      }
      LockSupport.parkNanos(1_000_000); // polls a state; the state, not the pause, is what the test waits for
    }
  }

  private static ExecutionException assertThrows(Waiter w) {
    return org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> w.result.get(30, TimeUnit.SECONDS));
  }
}
