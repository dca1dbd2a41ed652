package dev.unipool.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolStats;
import dev.unipool.TaskFuture;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The inline backend keeps no in-flight count of its own: its task counters (a task is counted submitted
 * and started in one step) decide when it has terminated and what {@code stats()} shows. These tests pin
 * that down where it differs from the queued backends: a task running in another caller's thread, a task
 * that never starts, and a submit after shutdown.
 */
class InlineCountingTest {
  private static final long LONG_WAIT_SECONDS = 60;

  @Test
  void awaitTermination_waitsForATaskRunningInAnotherCallersThread() throws Exception {
    Pool pool = Pool.of(Backend.inline());
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> caller = CompletableFuture.supplyAsync(() -> pool.submit(() -> {
      running.countDown();
      assertTrue(release.await(LONG_WAIT_SECONDS, TimeUnit.SECONDS));
      return "done";
    }).join());
    assertTrue(running.await(LONG_WAIT_SECONDS, TimeUnit.SECONDS));
    PoolStats during = pool.stats();
    assertEquals(1, during.submitted(), during::toString);
    assertEquals(1, during.running(), during::toString);
    assertEquals(0, during.queued(), during::toString);

    pool.shutdown();
    assertFalse(pool.awaitTermination(1, TimeUnit.MILLISECONDS), "a task is still running in its caller");
    assertFalse(pool.isTerminated());
    release.countDown();
    assertTrue(pool.awaitTermination(LONG_WAIT_SECONDS, TimeUnit.SECONDS));
    assertTrue(pool.isTerminated());
    assertEquals("done", caller.get(LONG_WAIT_SECONDS, TimeUnit.SECONDS));
    PoolStats after = pool.stats();
    assertEquals(1, after.submitted(), after::toString);
    assertEquals(1, after.completed(), after::toString);
    assertEquals(0, after.running() + after.queued(), after::toString);
  }

  @Test
  void aTaskThatNeverStarts_isCountedSubmittedAndCancelled() throws Exception {
    try (Pool pool = Pool.of(Backend.inline())) {
      // The first task outlasts the deadline, so invokeAll returns the second one cancelled, never started.
      List<Future<String>> futures = pool.invokeAll(
          List.of(() -> {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() - end < 0) {
              Thread.onSpinWait();
            }
            return "first";
          }, () -> "second"),
          250, TimeUnit.MILLISECONDS);
      assertTrue(futures.get(1).isCancelled());
      PoolStats s = pool.stats();
      assertEquals(2, s.submitted(), s::toString);
      assertEquals(1, s.completed(), s::toString);
      assertEquals(1, s.cancelled(), s::toString);
      assertEquals(0, s.running() + s.queued(), s::toString);
    }
  }

  @Test
  void aRejectedSubmit_isNotCounted_andTheClosedPoolTerminates() {
    Pool pool = Pool.of(Backend.inline());
    assertEquals(7, pool.submit(() -> 7).join());
    pool.close();
    assertThrows(RejectedExecutionException.class, () -> pool.submit(() -> 8));
    PoolStats s = pool.stats();
    assertEquals(1, s.submitted(), s::toString);
    assertEquals(1, s.completed(), s::toString);
    assertTrue(pool.isTerminated());
  }

  @Test
  void failuresInTheCaller_areCountedAsFailed() {
    try (Pool pool = Pool.of(Backend.inline())) {
      TaskFuture<Object> f = pool.submit(() -> {
        throw new IllegalStateException("boom");
      });
      assertEquals(Future.State.FAILED, f.state());
      PoolStats s = pool.stats();
      assertEquals(1, s.submitted(), s::toString);
      assertEquals(1, s.failed(), s::toString);
    }
  }

  @Test
  void countsOfCallerThreadsThatEnded_areKept() throws Exception {
    try (Pool pool = Pool.of(Backend.inline())) {
      for (int t = 0; t < 5; t++) {
        int tasks = t + 1;
        Thread caller = Thread.ofPlatform().start(() -> {
          for (int i = 0; i < tasks; i++) {
            pool.submit(() -> 1).join();
          }
        });
        caller.join();
        PoolStats s = pool.stats(); // counts made by a thread that has ended stay in the totals
        assertEquals(tasks * (tasks + 1) / 2, s.completed(), s::toString);
      }
      Thread.ofVirtual().start(() -> pool.submit(() -> 1).join()).join();
      assertEquals(16, pool.stats().submitted());
      assertEquals(16, pool.stats().completed());
    }
  }
}
