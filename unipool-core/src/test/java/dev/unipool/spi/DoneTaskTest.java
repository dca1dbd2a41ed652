package dev.unipool.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.PoolStats;
import dev.unipool.TaskFuture;
import dev.unipool.TaskOptions;
import dev.unipool.TaskTimings;
import dev.unipool.WorkerStats;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The inline pool's plain tasks take the fast path ({@link TaskRun#runInSubmit}, a {@link DoneTask} future):
 * what a caller sees of them must not differ from a {@code TaskRun} that ran inside submit.
 */
class DoneTaskTest {
  private static Pool inline() {
    return Pool.of(Backend.inline());
  }

  @Test
  void plainTask_runsInTheCaller_andIsDone_withItsOutcomeSealed() throws Exception {
    try (Pool pool = inline()) {
      TaskFuture<String> f = pool.submit(() -> Thread.currentThread().getName());
      assertInstanceOf(DoneTask.class, f, "a plain inline task should take the fast path");
      assertTrue(f.isDone());
      assertEquals(Thread.currentThread().getName(), f.get());
      assertEquals(Thread.currentThread().getName(), f.worker().orElseThrow().name());
      assertEquals(ProcessHandle.current().pid(), f.worker().orElseThrow().pid());
      assertSame(TaskTimings.NONE, f.timings());
      assertFalse(f.cancel(true), "a done task cannot be cancelled");
      assertFalse(f.isCancelled());
      CompletableFuture<String> cast = (CompletableFuture<String>) f;
      assertFalse(cast.complete("other"));
      UnsupportedOperationException e =
          assertThrows(UnsupportedOperationException.class, () -> cast.obtrudeValue("forced"));
      assertTrue(e.getMessage().contains("cancel"), e::getMessage);
      assertThrows(UnsupportedOperationException.class, () -> cast.obtrudeException(new IllegalStateException()));
      CompletableFuture<String> copy = f.toCompletableFuture();
      assertNotSame(f, copy);
      copy.obtrudeValue("copies may be obtruded");
      assertEquals(Thread.currentThread().getName(), f.join(), "the task's outcome was overwritten");
      assertEquals(Thread.currentThread().getName().length(), f.thenApply(String::length).toCompletableFuture().get());
    }
  }

  @Test
  void failures_andCancellationsThrownByTheTask_areCountedAsTheirOutcome() {
    try (Pool pool = inline()) {
      IllegalStateException boom = new IllegalStateException("boom");
      TaskFuture<Object> failed = pool.submit(() -> {
        throw boom;
      });
      ExecutionException e = assertThrows(ExecutionException.class, failed::get);
      assertSame(boom, e.getCause());
      TaskFuture<Object> cancelled = pool.submit(() -> {
        throw new CancellationException("the task gave up");
      });
      assertTrue(cancelled.isCancelled());
      assertEquals(1, pool.submit(() -> 1).join());
      PoolStats s = pool.stats();
      assertEquals(3, s.submitted());
      assertEquals(1, s.completed());
      assertEquals(1, s.failed());
      assertEquals(1, s.cancelled());
      assertEquals(0, s.running());
      assertEquals(3, s.workers().stream().mapToLong(WorkerStats::tasksRun).sum());
    }
  }

  @Test
  void aSubmitAfterShutdown_isRejected_uncounted_andThePoolTerminates() throws Exception {
    Pool pool = inline();
    assertEquals(1, pool.submit(() -> 1).join());
    pool.shutdown();
    assertThrows(RejectedExecutionException.class, () -> pool.submit(() -> 2));
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    assertEquals(1, pool.stats().submitted());
    assertEquals(1, pool.stats().completed());
  }

  @Test
  void whatNeedsATaskRun_stillGetsOne() throws Exception {
    try (Pool timed = Pool.of(Backend.inline(), PoolOptions.defaults().timings(true));
        Pool retried = Pool.of(Backend.inline(), PoolOptions.defaults().retries(1));
        Pool plain = inline()) {
      TaskFuture<Integer> t = timed.submit(() -> 1);
      assertInstanceOf(TaskRun.class, t);
      assertNotNull(t.timings().finished(), "a pool that records timings lost them");
      assertInstanceOf(TaskRun.class, retried.submit(() -> 1));
      assertInstanceOf(TaskRun.class, plain.submit(() -> 1, TaskOptions.timeout(Duration.ofHours(1))));
      assertEquals(1, plain.submit(() -> 1, TaskOptions.timeout(Duration.ofHours(1))).get());
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aTaskNeverRunsAfterAwaitTerminationSaidTheInlinePoolTerminated(boolean timed) throws Exception {
    // The submit that races a shutdown: counted before it reads the state, so awaitTermination either
    // waits for its task or the submit is rejected. Before that order, a task could start after the pool
    // had reported itself terminated. A stress test: the window is a few instructions wide.
    AtomicInteger late = new AtomicInteger();
    for (int round = 0; round < 2_000; round++) {
      Pool pool = Pool.of(Backend.inline(), PoolOptions.defaults().timings(timed).name("race-" + round));
      AtomicBoolean terminated = new AtomicBoolean();
      CountDownLatch submitting = new CountDownLatch(1);
      Thread submitter = Thread.ofPlatform().start(() -> {
        submitting.countDown();
        try {
          while (true) {
            var unused = pool.submit(() -> terminated.get() ? late.incrementAndGet() : 0);
          }
        } catch (RejectedExecutionException expected) {
          // the pool shut down
        }
      });
      submitting.await();
      pool.shutdown();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
      terminated.set(true);
      submitter.join();
    }
    assertEquals(0, late.get(), "tasks ran after the pool said it had terminated");
  }
}
