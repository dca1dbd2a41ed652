package dev.unipool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.SerializableCallable;
import dev.unipool.TaskFuture;
import dev.unipool.TaskOptions;
import dev.unipool.TaskTimeoutException;
import dev.unipool.WorkerCrashedException;
import dev.unipool.testkit.FileSignal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faults around a worker's life that once broke a pool, hung {@code close()}, ran a task twice or left
 * processes behind; one test each.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WorkerLifecycleFaultTest {
  private static final long PATIENCE = 120;

  @TempDir Path tmp;
  private Instant testStart = Instant.now();

  @BeforeEach
  void markStart() {
    testStart = Instant.now().minusSeconds(1);
  }

  /** Child processes of this JVM started by this test: its pools' workers. */
  private List<ProcessHandle> workersOfThisTest() {
    return WorkerKiller.children().stream()
        .filter(p -> p.info().startInstant().map(s -> !s.isBefore(testStart)).orElse(true))
        .toList();
  }

  private static boolean gone(long pid) throws InterruptedException {
    return ProcessFailureTest.gone(pid, PATIENCE);
  }


  private static Throwable causeOf(TaskFuture<?> f) {
    return assertThrows(ExecutionException.class, () -> f.get(PATIENCE, TimeUnit.SECONDS)).getCause();
  }

  @Test
  void workersKilledWhileStarting_areReplaced_andThePoolServes() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(2))) {
      // Kill every worker as soon as it appears, long before it can be ready, six times over.
      java.util.Set<Long> killed = new java.util.HashSet<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE);
      while (killed.size() < 6 && System.nanoTime() < deadline) {
        for (ProcessHandle p : workersOfThisTest()) {
          // Both slots' workers may appear in one pass: stop at six, not at seven.
          if (killed.size() < 6 && !killed.contains(p.pid()) && p.destroyForcibly()) {
            killed.add(p.pid());
          }
        }
        Thread.sleep(2); // polling for the next worker to appear
      }
      assertEquals(6, killed.size(), "workers killed while starting");
      assertEquals(42, pool.submit(() -> 42).get(PATIENCE, TimeUnit.SECONDS));
      assertEquals(List.of(2, 4, 6), pool.map(x -> 2 * x, List.of(1, 2, 3)));
    }
  }

  @Test
  void badJvmFlag_breaksThePool_namingTheCause() throws Exception {
    Pool pool = Pool.of(Backend.processes(2).jvmArgs("-XX:+NoSuchUnipoolFlag"));
    Throwable cause;
    try {
      cause = causeOf(pool.submit(() -> 1));
    } catch (RejectedExecutionException e) { // the workers may fail before this submit: as good, if it says why
      cause = e.getCause();
    }
    assertInstanceOf(IllegalStateException.class, cause);
    assertTrue(cause.getMessage().contains("could not start"), cause.getMessage());
    assertTrue(cause.getMessage().contains("NoSuchUnipoolFlag"), "names the JVM's complaint: " + cause.getMessage());
    RejectedExecutionException later = assertThrows(RejectedExecutionException.class, () -> pool.submit(() -> 2));
    assertTrue(later.getMessage().contains("broken"), later.getMessage());
    assertTimeoutPreemptively(Duration.ofSeconds(PATIENCE), pool::close);
  }

  @Test
  void cancelBeforeTheWorkerIsReady_thenClose_returns_andLeavesNoWorker() throws Exception {
    Pool pool = Pool.of(Backend.processes(1));
    TaskFuture<Integer> f = pool.submit(() -> 1);
    f.cancel(false);
    assertTimeoutPreemptively(Duration.ofSeconds(PATIENCE), pool::close);
    assertTrue(pool.isTerminated());
    assertEquals(List.of(), workersOfThisTest());
  }

  @Test
  void mapFailedByADeadWorker_thenClose_returns_andLeavesNoWorker() throws Exception {
    Pool pool = Pool.of(Backend.processes(2));
    List<Integer> items = IntStream.range(0, 2_000).boxed().toList();
    CompletionException e = assertThrows(CompletionException.class, () -> pool.map(x -> {
      if (x == 1_000) {
        Runtime.getRuntime().halt(7);
      }
      return x;
    }, items));
    assertInstanceOf(WorkerCrashedException.class, e.getCause());
    assertTimeoutPreemptively(Duration.ofSeconds(PATIENCE), pool::close);
    assertEquals(List.of(), workersOfThisTest());
  }

  /** Warms a one-worker pool with tiny tasks, so that its prefetch window is deep. */
  private static void warm(Pool pool) throws Exception {
    List<TaskFuture<Integer>> fs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      fs.add(pool.submit(() -> 1));
    }
    for (TaskFuture<Integer> f : fs) {
      f.get(PATIENCE, TimeUnit.SECONDS);
    }
  }

  @Test
  void tasksPrefetchedToAWorkerThatDies_areResent_withoutUsingAnAttempt() throws Exception {
    FileSignal started = FileSignal.in(tmp);
    try (Pool pool = Pool.of(Backend.processes(1))) { // no retries
      warm(pool);
      TaskFuture<Object> running = pool.submit(new ProcessFailureTest.Sleeper(started));
      List<TaskFuture<Integer>> behind = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        behind.add(pool.submit(() -> n));
      }
      started.await(Duration.ofSeconds(PATIENCE));
      ProcessHandle.of(running.worker().orElseThrow().pid()).orElseThrow().destroyForcibly();
      assertInstanceOf(WorkerCrashedException.class, causeOf(running));
      for (int i = 0; i < behind.size(); i++) {
        assertEquals(i, behind.get(i).get(PATIENCE, TimeUnit.SECONDS), "prefetched task " + i + " never ran");
      }
    }
  }

  /** Appends a line to a file each time it runs. */
  record CountRuns(String file) implements SerializableCallable<Integer> {
    @Override
    public Integer call() throws Exception {
      Files.writeString(Path.of(file), "ran\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      return 1;
    }
  }

  @Test
  void taskThatFinished_butWhoseResultDiedWithItsWorker_runsAgain_andOnlyTheCrashingTaskFails() throws Exception {
    Path runs = tmp.resolve("runs");
    try (Pool pool = Pool.of(Backend.processes(1))) { // no retries
      warm(pool);
      // The worker batches results while more tasks wait behind them, so when the next task halts the
      // JVM at once the first one's result is usually still unsent.
      TaskFuture<Integer> first = pool.submit(new CountRuns(runs.toString()));
      TaskFuture<Object> crash = pool.submit(() -> {
        Runtime.getRuntime().halt(9);
        return null;
      });
      assertInstanceOf(WorkerCrashedException.class, causeOf(crash));
      assertEquals(1, first.get(PATIENCE, TimeUnit.SECONDS), "only the task that crashed the worker fails");
      int ran = Files.readAllLines(runs, StandardCharsets.UTF_8).size();
      assertTrue(ran == 1 || ran == 2, "ran once, or again after its result was lost: " + ran);
    }
  }

  /** Starts a child process holding the worker's output pipes, records its pid, then misbehaves. */
  record ParentOfAChild(String pidFile, FileSignal started, String mode) implements SerializableCallable<Object> {
    @Override
    public Object call() throws Exception {
      Process child = new ProcessBuilder("sleep", "600").inheritIO().start();
      Files.writeString(Path.of(pidFile), Long.toString(child.pid()));
      started.fire();
      if (mode.equals("crash")) {
        Runtime.getRuntime().halt(5);
      }
      long x = 0;
      while (x >= 0) { // ignores interrupts: only a kill stops it
        x = (x + 1) % 1000;
      }
      return x;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"timeout", "cancel", "crash"})
  void childProcessesOfATask_dieWithItsWorker(String mode) throws Exception {
    Path pidFile = tmp.resolve("child-pid");
    FileSignal started = FileSignal.in(tmp);
    try (Pool pool = Pool.of(Backend.processes(1).killGrace(Duration.ofMillis(200)))) {
      TaskOptions options = mode.equals("timeout") ? TaskOptions.timeout(Duration.ofSeconds(2)) : TaskOptions.none();
      TaskFuture<Object> f = pool.submit(new ParentOfAChild(pidFile.toString(), started, mode), options);
      started.await(Duration.ofSeconds(PATIENCE));
      long child = Long.parseLong(Files.readString(pidFile).trim());
      if (mode.equals("cancel")) {
        f.cancel(true);
      }
      Throwable cause = mode.equals("cancel") ? null : causeOf(f);
      switch (mode) {
        case "timeout" -> assertInstanceOf(TaskTimeoutException.class, cause);
        case "crash" -> assertInstanceOf(WorkerCrashedException.class, cause);
        default -> assertTrue(f.isCancelled());
      }
      assertTrue(gone(child), "the task's child process " + child + " outlived its worker");
      assertEquals(7, pool.submit(() -> 7).get(PATIENCE, TimeUnit.SECONDS));
    }
  }

  @Test
  void childProcessOfAFinishedTask_diesWhenThePoolCloses() throws Exception {
    Pool pool = Pool.of(Backend.processes(1));
    long child = pool.submit(() -> new ProcessBuilder("sleep", "600").start().pid()).get(PATIENCE, TimeUnit.SECONDS);
    assertTrue(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the child runs after its task");
    assertTimeoutPreemptively(Duration.ofSeconds(PATIENCE), pool::close);
    assertTrue(gone(child), "the task's child process " + child + " outlived the pool");
  }

  /** A task whose decoding in the worker is slow, as a first task's class loading can be. */
  static final class SlowToDecode implements SerializableCallable<Integer> {
    private static final long serialVersionUID = 1L;

    @Override
    public Integer call() {
      return 4;
    }

    private void readObject(java.io.ObjectInputStream in) throws Exception {
      in.defaultReadObject();
      Thread.sleep(1_500); // the cost being simulated, not synchronisation
    }
  }

  @Test
  void taskTimeout_countsFromWhenTheTaskRuns_notWhileTheWorkerDecodesIt() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      TaskFuture<Integer> f = pool.submit(new SlowToDecode(), TaskOptions.timeout(Duration.ofSeconds(1)));
      assertEquals(4, f.get(PATIENCE, TimeUnit.SECONDS));
    }
  }
}
