package dev.unipool.spi;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Overflow;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.PoolStats;
import dev.unipool.TaskFuture;
import dev.unipool.TaskOptions;
import dev.unipool.TaskTimeoutException;
import dev.unipool.WorkerInfo;
import dev.unipool.internal.SharedTimer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TaskRun} on its own: the claim that decides a task's one outcome, the queue slot and timer it
 * releases exactly once, the interrupt hand-off, and the ways a caller holding the future could bypass them.
 * The backend is a {@link ManualPool}: the test runs each task itself.
 */
@Timeout(60)
class TaskRunTest {
  private static final WorkerInfo WORKER = new WorkerInfo(1, "w", "w", "localhost");
  private static final Duration HOUR = Duration.ofHours(1);

  private final ManualPool pool = new ManualPool(PoolOptions.defaults().queue(1_000, Overflow.REJECT), false);

  @AfterEach
  void close() {
    pool.shutdownNow();
  }

  @SuppressWarnings("unchecked")
  private <T> TaskRun<T> submit(java.util.concurrent.Callable<T> task, TaskOptions options) throws Exception {
    TaskFuture<T> f = pool.submit(task, options);
    TaskRun<T> run = (TaskRun<T>) pool.next();
    assertSame(f, run, "the future is the task the backend got");
    return run;
  }

  @Test
  void completeAndCancel_racing_exactlyOneWins_theLoserSeesItDone_andTheSlotIsFreedOnce() throws Exception {
    int rounds = 2_000;
    CyclicBarrier both = new CyclicBarrier(2);
    int cancelWins = 0;
    AtomicBoolean loserSawUndone = new AtomicBoolean();
    for (int i = 0; i < rounds; i++) {
      TaskRun<String> run = submit(() -> "v", TaskOptions.none());
      CompletableFuture<Boolean> canceller = CompletableFuture.supplyAsync(() -> {
        await(both);
        boolean won = run.cancel(true);
        if (!won && !run.isDone()) {
          loserSawUndone.set(true);
        }
        return won;
      }, r -> Thread.ofPlatform().start(r));
      await(both);
      boolean completed = run.complete("v");
      if (!completed && !run.isDone()) {
        loserSawUndone.set(true);
      }
      boolean cancelled = canceller.get(30, TimeUnit.SECONDS);
      assertNotEquals(completed, cancelled, "round " + i + ": exactly one of complete and cancel wins");
      assertEquals(cancelled, run.isCancelled(), "round " + i);
      if (cancelled) {
        cancelWins++;
      }
      assertEquals(0, pool.slotsTaken(), "round " + i + ": the slot was not given back exactly once");
    }
    assertFalse(loserSawUndone.get(), "complete or cancel returned false while the future was not yet done");
    PoolStats s = pool.stats();
    assertEquals(rounds, s.submitted(), s::table);
    assertEquals(cancelWins, s.cancelled(), s::table);
    assertEquals(rounds - cancelWins, s.completed(), s::table);
    assertEquals(0, s.queued() + s.running(), s::table);
  }

  @Test
  void startAndCancel_racing_leaveNoTaskCountedAsRunning() throws Exception {
    // Regression: a cancel that read "not started" while the start still counted itself left the pool's
    // statistics showing a running task forever (found by the contract's after-test check on auto).
    int rounds = 2_000;
    CyclicBarrier both = new CyclicBarrier(2);
    int started = 0;
    for (int i = 0; i < rounds; i++) {
      TaskRun<String> run = submit(() -> "v", TaskOptions.none());
      CompletableFuture<Boolean> canceller = CompletableFuture.supplyAsync(() -> {
        await(both);
        return run.cancel(true);
      }, r -> Thread.ofPlatform().start(r));
      await(both);
      if (run.start(WORKER)) {
        started++;
      }
      assertTrue(canceller.get(30, TimeUnit.SECONDS), "round " + i + ": nothing else completes the task");
      PoolStats s = pool.stats();
      assertEquals(0, s.running() + s.queued(), () -> "after a start raced a cancel:\n" + s.table());
      assertEquals(0, pool.slotsTaken());
    }
    assertEquals(rounds, pool.stats().cancelled());
    assertTrue(started <= rounds);
  }

  private static void await(CyclicBarrier b) {
    try {
      b.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void cancelRunning_interruptsTheTask_butNotTheThreadsNextTask() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    TaskRun<String> run = submit(() -> {
      started.countDown();
      try {
        never.await();
        return "not interrupted";
      } catch (InterruptedException e) {
        interrupted.set(true);
        throw e;
      }
    }, TaskOptions.none());
    CompletableFuture<Boolean> leaked = new CompletableFuture<>();
    Thread worker = Thread.ofPlatform().start(() -> {
      run.run();
      leaked.complete(Thread.currentThread().isInterrupted()); // what this thread's next task would see
    });
    assertTrue(started.await(30, TimeUnit.SECONDS));
    assertTrue(run.cancel(true));
    assertFalse(leaked.get(30, TimeUnit.SECONDS), "the interrupt leaked past the cancelled task");
    assertTrue(interrupted.get(), "the running task was not interrupted");
    assertTrue(worker.join(Duration.ofSeconds(30)));
    assertEquals(0, pool.stats().running());
  }

  @Test
  void start_afterCancel_returnsFalse_andTheSlotIsFree() throws Exception {
    TaskRun<String> run = submit(() -> "v", TaskOptions.none());
    assertEquals(1, pool.slotsTaken());
    assertTrue(run.cancel(false));
    assertEquals(0, pool.slotsTaken());
    assertFalse(run.start(WORKER), "a cancelled task must not run");
    assertEquals(0, pool.slotsTaken(), "dropping a cancelled task gave its slot back a second time");
  }

  @Test
  void whoeverSeesTheTaskDone_seesItsSlotFree() throws Exception {
    // Regression (found by Lincheck): the slot was released after the future completed, so a dependent
    // stage, or a thread woken by the outcome, could see a finished task still holding its queue slot.
    for (boolean cancel : new boolean[] {true, false}) {
      TaskRun<String> run = submit(() -> "v", TaskOptions.none());
      AtomicInteger seen = new AtomicInteger(-1);
      CompletableFuture<String> stage = run.whenComplete((v, e) -> seen.set(pool.slotsTaken()));
      assertTrue(cancel ? run.cancel(false) : run.complete("v"));
      assertEquals(0, seen.get(), "a dependent saw the slot still taken");
      assertTrue(stage.isDone());
    }
  }

  @Test
  void start_freesTheSlot_andAReRunKeepsTheFirstStart() throws Exception {
    TaskRun<String> run = submit(() -> "v", TaskOptions.none());
    assertTrue(run.start(WORKER));
    assertEquals(0, pool.slotsTaken());
    assertTrue(run.start(WORKER), "a re-run after a lost worker starts again");
    assertEquals(0, pool.slotsTaken());
    assertEquals(1, pool.stats().running(), "counted as running once");
    assertTrue(run.complete("v"));
    assertEquals(0, pool.stats().running());
  }

  @Test
  void timeout_failsTheTaskWithTaskTimeoutException_andInterruptsIt() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    TaskRun<String> run = submit(() -> {
      never.await();
      return "not interrupted";
    }, TaskOptions.timeout(Duration.ofMillis(20)));
    Thread worker = Thread.ofPlatform().start(run);
    ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(30, TimeUnit.SECONDS));
    assertInstanceOf(TaskTimeoutException.class, e.getCause());
    assertTrue(worker.join(Duration.ofSeconds(30)), "the timed-out task was not interrupted");
    assertEquals(1, pool.stats().failed());
  }

  @Test
  void completion_cancelsTheTimeoutTimer() throws Exception {
    int before = SharedTimer.TIMER.getQueue().size();
    TaskRun<String> run = submit(() -> "v", TaskOptions.timeout(HOUR));
    assertTrue(run.start(WORKER));
    assertEquals(before + 1, SharedTimer.TIMER.getQueue().size(), "the timeout is armed at start");
    assertTrue(run.complete("v"));
    assertEquals(before, SharedTimer.TIMER.getQueue().size(), "the timer outlived its task");
  }

  @Test
  void obtrude_isRefused_namingCancel_andTheTaskKeepsItsCourse() throws Exception {
    TaskRun<String> run = submit(() -> "v", TaskOptions.timeout(HOUR));
    CompletableFuture<String> cast = run; // what a caller who casts a TaskFuture holds
    UnsupportedOperationException e =
        assertThrows(UnsupportedOperationException.class, () -> cast.obtrudeValue("forced"));
    assertTrue(e.getMessage().contains("cancel"), e::getMessage);
    assertThrows(UnsupportedOperationException.class, () -> cast.obtrudeException(new IllegalStateException()));
    assertFalse(run.isDone());
    run.run();
    assertEquals("v", run.get());
    assertThrows(UnsupportedOperationException.class, () -> cast.obtrudeValue("after the fact"));
    assertEquals("v", run.get(), "a finished task's outcome was overwritten");
    assertEquals(0, pool.slotsTaken());
  }

  @Test
  void completeByACaller_beforeStart_freesTheSlotAndTimer_andTheTaskNeverRuns() throws Exception {
    int timers = SharedTimer.TIMER.getQueue().size();
    AtomicBoolean ran = new AtomicBoolean();
    TaskRun<String> run = submit(() -> {
      ran.set(true);
      return "v";
    }, TaskOptions.timeout(HOUR));
    CompletableFuture<String> cast = run;
    assertTrue(cast.complete("the caller's"));
    assertEquals(0, pool.slotsTaken(), "complete() skipped the cleanup");
    assertFalse(run.start(WORKER), "the backend must drop a task completed by its caller");
    run.run();
    assertFalse(ran.get());
    assertEquals(timers, SharedTimer.TIMER.getQueue().size());
    assertEquals(1, pool.stats().completed());
  }

  @Test
  void completeExceptionallyByACaller_whileRunning_freesTheTimer() throws Exception {
    int timers = SharedTimer.TIMER.getQueue().size();
    TaskRun<String> run = submit(() -> "v", TaskOptions.timeout(HOUR));
    assertTrue(run.start(WORKER));
    CompletableFuture<String> cast = run;
    assertTrue(cast.completeExceptionally(new IllegalStateException("the caller's")));
    assertEquals(timers, SharedTimer.TIMER.getQueue().size(), "completeExceptionally() left the timer");
    assertFalse(run.complete("late"), "the backend's later result is ignored");
    assertEquals(1, pool.stats().failed());
    assertEquals(0, pool.stats().running());
  }

  @Test
  void completeAsync_completesThroughTheSameCleanup() throws Exception {
    TaskRun<String> run = submit(() -> "v", TaskOptions.timeout(HOUR));
    CompletableFuture<String> cast = run;
    assertSame(run, cast.completeAsync(() -> "async", Runnable::run));
    assertEquals("async", run.get(30, TimeUnit.SECONDS));
    assertEquals(0, pool.slotsTaken(), "completeAsync() skipped the cleanup");
    assertEquals(1, pool.stats().completed());

    TaskRun<String> failing = submit(() -> "v", TaskOptions.none());
    CompletableFuture<String> same = failing.completeAsync(() -> {
      throw new IllegalStateException("supplier failed");
    }, Runnable::run);
    assertSame(failing, same);
    assertInstanceOf(IllegalStateException.class, failing.exceptionNow());
    assertEquals(0, pool.slotsTaken());
  }

  @Test
  void hasDependentStages_isFalseForBlockedReaders_andTrueOnceAStageExists() throws Exception {
    TaskRun<String> run = submit(() -> "v", TaskOptions.none());
    Thread reader = Thread.ofPlatform().start(() -> {
      try {
        run.get();
      } catch (Exception e) {
        // the outcome is not what this test reads
      }
    });
    QueueSlotsTest.awaitWaiting(reader);
    assertFalse(run.hasDependentStages(), "a thread blocked in get() is not a stage that runs user code");
    CompletableFuture<Integer> stage = run.thenApply(String::length);
    assertTrue(run.hasDependentStages());
    run.run();
    assertEquals(1, stage.get(30, TimeUnit.SECONDS));
    assertTrue(reader.join(Duration.ofSeconds(30)));
  }

  @Test
  void getOnTheCallersOwnLatestTask_whenInterrupted_throwsInterruptedException_afterItsBriefSpin() throws Exception {
    TaskRun<String> run = submit(() -> "v", TaskOptions.none());
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, run::get);
    assertFalse(Thread.interrupted(), "the interrupt is reported once, as the exception");
    assertFalse(run.isDone());
  }

  @Test
  void timedGetOnTheCallersOwnLatestTask_countsItsSpinInTheTimeout() throws Exception {
    TaskRun<String> run = submit(() -> "v", TaskOptions.none());
    assertThrows(java.util.concurrent.TimeoutException.class, () -> run.get(0, TimeUnit.NANOSECONDS));
    assertThrows(java.util.concurrent.TimeoutException.class, () -> run.get(1, TimeUnit.MILLISECONDS));
    run.run();
    assertDoesNotThrow(() -> run.get(0, TimeUnit.NANOSECONDS));
  }

  @Test
  void aTaskCompletedInsideSubmit_isNeverTheCallersLatest_andLeavesTheQueuedOneSo() throws Exception {
    TaskRun<String> queued = submit(() -> "v", TaskOptions.none());
    assertTrue(queued.isCallersLatest());
    try (Pool inline = Pool.of(Backend.inline());
        Pool timedInline = Pool.of(Backend.inline(), PoolOptions.defaults().timings(true))) {
      assertEquals(1, inline.submit(() -> 1).join()); // a plain task: no TaskRun at all (DoneTask)
      TaskRun<?> ran = (TaskRun<?>) timedInline.submit(() -> 1); // timings need a TaskRun
      assertTrue(ran.isDone());
      assertFalse(ran.isCallersLatest(), "nobody can wait for a task that completed inside submit");
    }
    assertTrue(queued.isCallersLatest(), "the inline task is not counted, so a get() on the queued one still spins");
    CompletableFuture<Boolean> elsewhere = CompletableFuture.supplyAsync(queued::isCallersLatest,
        r -> Thread.ofPlatform().start(r));
    assertFalse(elsewhere.get(30, TimeUnit.SECONDS), "only the submitting thread spins");
    TaskRun<String> next = submit(() -> "w", TaskOptions.none());
    assertFalse(queued.isCallersLatest());
    assertTrue(next.isCallersLatest());
    queued.run();
    next.run();
  }

  @Test
  void toCompletableFuture_isACopy_whoseCompletionLeavesTheTaskAlone() throws Exception {
    TaskRun<String> run = submit(() -> "v", TaskOptions.none());
    CompletableFuture<String> copy = run.toCompletableFuture();
    assertTrue(copy.complete("copy"));
    copy.obtrudeValue("copies may be obtruded");
    assertFalse(run.isDone());
    assertEquals(1, pool.slotsTaken());
    run.run();
    assertEquals("v", run.join());
  }
}
