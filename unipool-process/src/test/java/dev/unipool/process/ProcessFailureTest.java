package dev.unipool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.RemoteTaskException;
import dev.unipool.TaskFuture;
import dev.unipool.TaskOptions;
import dev.unipool.TaskTimeoutException;
import dev.unipool.Worker;
import dev.unipool.WorkerCrashedException;
import dev.unipool.testkit.FileSignal;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What Python's process pools get wrong, tested: crashes, kills, hard timeouts, retries, submit-time checks. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessFailureTest {
  private static final long PATIENCE = 60;

  @TempDir Path tmp;

  /** Signals that it started, then sleeps (interruptibly) until cancelled. */
  record Sleeper(FileSignal started) implements dev.unipool.SerializableCallable<Object> {
    @Override
    public Object call() throws InterruptedException {
      started.fire();
      Thread.sleep(600_000);
      return "woke up";
    }
  }

  /** Signals that it started (if given a signal), then spins forever, ignoring interrupts. */
  record Spinner(@org.jspecify.annotations.Nullable FileSignal started)
      implements dev.unipool.SerializableCallable<Integer> {
    @Override
    public Integer call() {
      if (started != null) {
        started.fire();
      }
      long x = 0;
      while (x >= 0) {
        x = (x + 1) % 1000;
      }
      return (int) x;
    }
  }

  private static Throwable causeOf(TaskFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(PATIENCE, TimeUnit.SECONDS));
    return e.getCause();
  }

  private static boolean gone(long pid) throws InterruptedException {
    return gone(pid, PATIENCE);
  }

  /** Whether process {@code pid} is gone within {@code seconds}, polling the OS. */
  static boolean gone(long pid, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
        return true;
      }
      Thread.sleep(20); // polling the OS for a process to disappear
    }
    return false;
  }


  @Test
  void workerHaltedMidTask_failsOnlyThatTask_andPoolRecovers() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(2))) {
      List<TaskFuture<Integer>> ok = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        ok.add(pool.submit(() -> n * 2));
      }
      TaskFuture<Object> crash = pool.submit(() -> {
        System.err.println("about to halt");
        Runtime.getRuntime().halt(42);
        return null;
      });
      for (int i = 20; i < 40; i++) {
        int n = i;
        ok.add(pool.submit(() -> n * 2));
      }
      WorkerCrashedException e = assertInstanceOf(WorkerCrashedException.class, causeOf(crash));
      assertEquals(42, e.exitCode().orElseThrow());
      assertTrue(e.getMessage().contains("exit code 42"), e.getMessage());
      assertTrue(e.stderrTail().contains("about to halt"), e.stderrTail());
      for (int i = 0; i < ok.size(); i++) {
        assertEquals(i * 2, ok.get(i).get(PATIENCE, TimeUnit.SECONDS));
      }
      assertEquals(7, pool.submit(() -> 7).get(PATIENCE, TimeUnit.SECONDS));
    }
  }

  @Test
  void systemExitInTask_isReportedWithItsExitCode() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      TaskFuture<Object> f = pool.submit(() -> {
        System.exit(7);
        return null;
      });
      assertEquals(7, assertInstanceOf(WorkerCrashedException.class, causeOf(f)).exitCode().orElseThrow());
      assertEquals("after", pool.submit(() -> "after").get(PATIENCE, TimeUnit.SECONDS));
    }
  }

  @Test
  void outOfMemory_killsOnlyThatWorker_withStderrTail() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1).heap("48m"))) {
      TaskFuture<Integer> f = pool.submit(() -> {
        List<long[]> hog = new ArrayList<>();
        while (true) {
          hog.add(new long[1 << 20]);
          if (hog.size() < 0) {
            return hog.size();
          }
        }
      });
      WorkerCrashedException e = assertInstanceOf(WorkerCrashedException.class, causeOf(f));
      assertTrue(e.stderrTail().contains("OutOfMemoryError"), e.stderrTail());
      assertEquals(3, pool.submit(() -> 3).get(PATIENCE, TimeUnit.SECONDS));
    }
  }

  @Test
  void workerKilledFromOutside_failsItsTaskWithTheSignal() throws Exception {
    FileSignal started = FileSignal.in(tmp);
    try (Pool pool = Pool.of(Backend.processes(1))) {
      TaskFuture<Object> f = pool.submit(new Sleeper(started));
      started.await(Duration.ofSeconds(PATIENCE));
      long pid = f.worker().orElseThrow().pid();
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      WorkerCrashedException e = assertInstanceOf(WorkerCrashedException.class, causeOf(f));
      assertEquals(9, e.signal().orElseThrow());
      assertEquals(pid, e.pid());
      TaskFuture<Long> next = pool.submit(() -> Worker.current().pid());
      assertNotEquals(pid, next.get(PATIENCE, TimeUnit.SECONDS));
    }
  }

  @Test
  void aRepeatedTask_runsOnTheWorkerThatReplacesAKilledOne() throws Exception {
    // A repeated task goes to a worker whole once, then as a key the worker kept (KeptTasks): its
    // replacement has kept nothing, so it must get the task whole again.
    dev.unipool.SerializableCallable<Long> pid = () -> Worker.current().pid();
    try (Pool pool = Pool.of(Backend.processes(1))) {
      long first = pool.submit(pid).get(PATIENCE, TimeUnit.SECONDS);
      assertEquals(first, pool.submit(pid).get(PATIENCE, TimeUnit.SECONDS));
      ProcessHandle.of(first).orElseThrow().destroyForcibly();
      assertTrue(gone(first));
      long second = pool.submit(pid).get(PATIENCE, TimeUnit.SECONDS);
      assertNotEquals(first, second);
      assertEquals(second, pool.submit(pid).get(PATIENCE, TimeUnit.SECONDS));
    }
  }

  @Test
  void retries_rerunAnIdempotentTaskAfterACrash() throws Exception {
    String marker = tmp.resolve("crashed-once").toString();
    try (Pool pool = Pool.of(Backend.processes(1), PoolOptions.defaults().retries(2))) {
      TaskFuture<String> f = pool.submit(() -> {
        if (!Files.exists(Path.of(marker))) {
          Files.createFile(Path.of(marker));
          Runtime.getRuntime().halt(1);
        }
        return "second attempt";
      });
      assertEquals("second attempt", f.get(PATIENCE, TimeUnit.SECONDS));
    }
  }

  @Test
  void retriesPerTask_overrideThePool() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      TaskFuture<Object> f = pool.submit(() -> {
        Runtime.getRuntime().halt(5);
        return null;
      }, TaskOptions.none().withRetries(2));
      WorkerCrashedException e = assertInstanceOf(WorkerCrashedException.class, causeOf(f));
      assertEquals(5, e.exitCode().orElseThrow()); // ran three times, crashed each time
    }
  }

  @Test
  void hardTimeout_failsABusyLoop_andKillsOnlyThatWorker() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(2).killGrace(Duration.ofMillis(200)))) {
      TaskFuture<Integer> stuck = pool.submit(new Spinner(null), TaskOptions.timeout(Duration.ofMillis(500)));
      TaskFuture<String> other = pool.submit(() -> "unaffected");
      assertInstanceOf(TaskTimeoutException.class, causeOf(stuck));
      assertEquals("unaffected", other.get(PATIENCE, TimeUnit.SECONDS));
      assertTrue(gone(stuck.worker().orElseThrow().pid()), "the stuck worker was killed");
      assertEquals(11, pool.submit(() -> 11).get(PATIENCE, TimeUnit.SECONDS));
    }
  }

  @Test
  void cancelRunning_interruptibleTask_stopsWithoutKillingTheWorker() throws Exception {
    FileSignal started = FileSignal.in(tmp);
    try (Pool pool = Pool.of(Backend.processes(1).killGrace(Duration.ofSeconds(30)))) {
      TaskFuture<Object> f = pool.submit(new Sleeper(started));
      started.await(Duration.ofSeconds(PATIENCE));
      long pid = f.worker().orElseThrow().pid();
      assertTrue(f.cancel(true));
      assertThrows(CancellationException.class, f::get);
      assertEquals(pid, pool.submit(() -> Worker.current().pid()).get(PATIENCE, TimeUnit.SECONDS));
    }
  }

  @Test
  void taskLeavingItsInterruptFlagSet_succeeds_andTheWorkerServesOn() throws Exception {
    // The worker's threads read and write a blocking socket, which an interrupted thread closes: the
    // flag must not outlive the task (it used to cut the worker off and fail the task as a crash).
    try (Pool pool = Pool.of(Backend.processes(1))) {
      long pid = pool.submit(() -> Worker.current().pid()).get(PATIENCE, TimeUnit.SECONDS);
      assertEquals(2, pool.submit(() -> {
        Thread.currentThread().interrupt();
        return 2;
      }).get(PATIENCE, TimeUnit.SECONDS));
      for (int i = 0; i < 3; i++) {
        assertEquals(pid, pool.submit(() -> Worker.current().pid()).get(PATIENCE, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void cancelRunning_busyLoop_killsAndReplacesTheWorker() throws Exception {
    FileSignal started = FileSignal.in(tmp);
    try (Pool pool = Pool.of(Backend.processes(1).killGrace(Duration.ofMillis(100)))) {
      TaskFuture<Integer> f = pool.submit(new Spinner(started));
      started.await(Duration.ofSeconds(PATIENCE));
      long pid = f.worker().orElseThrow().pid();
      assertTrue(f.cancel(true));
      assertTrue(gone(pid));
      assertNotEquals(pid, pool.submit(() -> Worker.current().pid()).get(PATIENCE, TimeUnit.SECONDS));
    }
  }

  @Test
  void nonSerializableCapture_failsAtSubmit_inTheCallersThread_namingTheType() {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      Object notSerializable = new Object();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> pool.submit(() -> notSerializable.hashCode()));
      assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    }
  }

  @Test
  void plainCallableThroughAVariable_failsAtSubmit_explainingTheFix() {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      Callable<Integer> plain = () -> 1;
      java.util.concurrent.ExecutorService asExecutor = pool;
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> asExecutor.submit(plain));
      assertTrue(e.getMessage().contains("& Serializable"), e.getMessage());
      Callable<Integer> cast = (Callable<Integer> & Serializable) () -> 1;
      assertEquals(1, pool.submit(cast).join());
    }
  }

  @Test
  void taskException_keepsItsTypeMessageAndRemoteStackTrace() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      TaskFuture<Object> f = pool.submit(() -> {
        throw new IllegalStateException("boom in worker");
      });
      IllegalStateException e = assertInstanceOf(IllegalStateException.class, causeOf(f));
      assertEquals("boom in worker", e.getMessage());
      // TaskRunner runs every task in a worker and never in the parent. (WorkerMain is not always on the
      // stack: the worker's two reading threads take turns, and only one of them started in main.)
      assertTrue(List.of(e.getStackTrace()).stream().anyMatch(s -> s.getClassName().endsWith("remote.TaskRunner")),
          "stack trace is the worker's: " + List.of(e.getStackTrace()));
    }
  }

  /** An exception that cannot be serialized, so only its name, message and trace can come back. */
  static final class Unshippable extends RuntimeException {
    @SuppressWarnings("unused")
    private final transient Object ok = new Object();
    private final Object payload = new Object(); // not serializable

    Unshippable(String m) {
      super(m);
    }
  }

  @Test
  void unserializableException_becomesRemoteTaskException() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      TaskFuture<Object> f = pool.submit(() -> {
        throw new Unshippable("cannot travel");
      });
      RemoteTaskException e = assertInstanceOf(RemoteTaskException.class, causeOf(f));
      assertEquals(Unshippable.class.getName(), e.remoteClassName());
      assertTrue(e.getMessage().contains("cannot travel"));
      assertTrue(e.getStackTrace().length > 0);
    }
  }

  @Test
  void allowList_refusesOtherClasses() throws Exception {
    java.text.DecimalFormat format = new java.text.DecimalFormat("0.0");
    try (Pool pool = Pool.of(Backend.processes(1).allowClasses("com.example.**"))) {
      TaskFuture<String> f = pool.submit(() -> format.format(1.5));
      Throwable cause = causeOf(f);
      assertTrue(String.valueOf(cause).contains("REJECTED"), String.valueOf(cause));
      assertEquals(4, pool.submit(() -> 4).get(PATIENCE, TimeUnit.SECONDS), "JDK values and dev.unipool pass");
    }
  }

  @Test
  void recycleAfter_replacesTheWorker() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1).recycleAfter(3))) {
      Set<Long> pids = new HashSet<>();
      for (int i = 0; i < 9; i++) {
        pids.add(pool.submit(() -> Worker.current().pid()).get(PATIENCE, TimeUnit.SECONDS));
      }
      assertEquals(3, pids.size(), "three workers, three tasks each: " + pids);
    }
  }

  @Test
  void initializer_runsInEachWorkerBeforeTasks() throws Exception {
    Backend.Processes b = Backend.processes(2).initializer(() -> System.setProperty("initialized", "yes"));
    try (Pool pool = Pool.of(b)) {
      assertEquals(List.of("yes", "yes", "yes"),
          pool.map(i -> System.getProperty("initialized", "no"), List.of(1, 2, 3)));
    }
  }

  @Test
  void failingInitializer_breaksThePool_withTheCause() throws Exception {
    Backend.Processes b = Backend.processes(1).initializer(() -> {
      throw new IllegalStateException("no database");
    });
    try (Pool pool = Pool.of(b)) {
      TaskFuture<Integer> f = pool.submit(() -> 1);
      Throwable cause = causeOf(f);
      assertTrue(String.valueOf(cause).contains("no database"), String.valueOf(cause));
    }
  }

  @Test
  void workers_runConcurrently_withTheirOwnPidsAndNames() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(2))) {
      FileSignal a = FileSignal.in(tmp);
      FileSignal b = FileSignal.in(tmp);
      // Each task waits for the other: both can only finish if they run at the same time, in two workers.
      TaskFuture<dev.unipool.WorkerInfo> fa = pool.submit(() -> {
        a.fire();
        b.await(Duration.ofSeconds(PATIENCE));
        return Worker.current();
      });
      TaskFuture<dev.unipool.WorkerInfo> fb = pool.submit(() -> {
        b.fire();
        a.await(Duration.ofSeconds(PATIENCE));
        return Worker.current();
      });
      dev.unipool.WorkerInfo wa = fa.get(PATIENCE, TimeUnit.SECONDS);
      dev.unipool.WorkerInfo wb = fb.get(PATIENCE, TimeUnit.SECONDS);
      assertEquals(wa, fa.worker().orElseThrow());
      assertEquals(wb, fb.worker().orElseThrow());
      assertEquals(Set.of("worker-1", "worker-2"), Set.of(wa.name(), wb.name()));
      assertNotEquals(wa.pid(), wb.pid());
      assertNotEquals(ProcessHandle.current().pid(), wa.pid());
      assertNotEquals(ProcessHandle.current().pid(), wb.pid());
    }
  }

  /** Regression: an application thread's interrupt closed the worker's socket mid-write, killing the worker. */
  @Test
  void submitFromAnInterruptedThread_doesNotCutTheWorkerOff() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      long pid = pool.submit(() -> Worker.current().pid()).get(PATIENCE, TimeUnit.SECONDS);
      Thread.currentThread().interrupt();
      TaskFuture<Long> f;
      try {
        f = pool.submit(() -> Worker.current().pid());
        f.cancel(false); // a cancel from an interrupted thread writes a frame too
        f = pool.submit(() -> Worker.current().pid());
      } finally {
        Thread.interrupted();
      }
      assertEquals(pid, f.get(PATIENCE, TimeUnit.SECONDS), "same worker, still connected");
    }
  }

  /** Regression: cancelling a task queued behind a running one killed the worker, failing the running task. */
  @Test
  void cancelOfATaskQueuedInTheWorker_skipsIt_andSparesTheRunningTask() throws Exception {
    FileSignal started = FileSignal.in(tmp);
    FileSignal release = FileSignal.in(tmp);
    try (Pool pool = Pool.of(Backend.processes(1).killGrace(Duration.ofMillis(100)))) {
      for (int i = 0; i < 20; i++) { // short tasks: the pool learns to prefetch, so the next ones queue in the worker
        pool.submit(() -> 1).get(PATIENCE, TimeUnit.SECONDS);
      }
      TaskFuture<String> running = pool.submit(() -> {
        started.fire();
        release.await(Duration.ofSeconds(PATIENCE));
        return "finished";
      });
      TaskFuture<Integer> queued = pool.submit(() -> 2);
      started.await(Duration.ofSeconds(PATIENCE));
      assertTrue(queued.cancel(true));
      Thread.sleep(500); // lets the 100 ms kill timer fire if it (wrongly) were armed; cannot cause a failure
      release.fire();
      assertEquals("finished", running.get(PATIENCE, TimeUnit.SECONDS));
    }
  }

  @Test
  void shutdownNow_killsWorkersThatIgnoreInterrupts() throws Exception {
    FileSignal started = FileSignal.in(tmp);
    Pool pool = Pool.of(Backend.processes(1).killGrace(Duration.ofMillis(100)));
    TaskFuture<Integer> f = pool.submit(new Spinner(started));
    TaskFuture<Integer> queued = pool.submit(() -> 1);
    started.await(Duration.ofSeconds(PATIENCE));
    long pid = f.worker().orElseThrow().pid();
    List<Runnable> never = pool.shutdownNow();
    assertEquals(1, never.size());
    assertTrue(queued.isCancelled());
    assertTrue(pool.awaitTermination(PATIENCE, TimeUnit.SECONDS));
    assertTrue(gone(pid));
    assertTrue(f.isCancelled());
  }
}
