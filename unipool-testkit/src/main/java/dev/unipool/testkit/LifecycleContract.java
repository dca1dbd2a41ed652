package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.PATIENCE;
import static dev.unipool.testkit.ContractSupport.WAIT_SECONDS;
import static dev.unipool.testkit.ContractSupport.constant;
import static dev.unipool.testkit.ContractSupport.get;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Pool;
import dev.unipool.SerializableRunnable;
import dev.unipool.TaskFuture;
import dev.unipool.TaskOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code shutdown}, {@code shutdownNow} and {@code close}: what they reject, wait for, interrupt and return.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface LifecycleContract extends PoolFixture {
  @Test
  default void submit_afterShutdown_isRejected() {
    Pool p = pool();
    p.shutdown();
    assertTrue(p.isShutdown());
    assertThrows(RejectedExecutionException.class, () -> p.submit(() -> 1));
    assertThrows(RejectedExecutionException.class, () -> p.submit(() -> 1, TaskOptions.none()));
    assertThrows(RejectedExecutionException.class, () -> p.submit(ContractSupport::doNothing));
    SerializableRunnable action = ContractSupport::doNothing;
    assertThrows(RejectedExecutionException.class, () -> p.submit(action, "x"));
    assertThrows(RejectedExecutionException.class, () -> p.execute(ContractSupport::doNothing));
    assertThrows(RejectedExecutionException.class, () -> p.invokeAll(List.of(constant("x"))));
    assertThrows(RejectedExecutionException.class, () -> p.invokeAny(List.of(constant("x"))));
    assertThrows(RejectedExecutionException.class, () -> p.map(x -> x, List.of(1, 2)));
    assertThrows(RejectedExecutionException.class, () -> {
      try (Stream<Integer> s = p.imap(x -> x, List.of(1, 2))) {
        s.toList();
      }
    });
  }

  @Test
  default void shutdown_letsSubmittedTasksComplete() throws Exception {
    List<TaskFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int n = i;
      futures.add(pool().submit(() -> n * n));
    }
    pool().shutdown();
    assertTrue(pool().isShutdown());
    for (int i = 0; i < 20; i++) {
      assertEquals(i * i, get(futures.get(i)));
    }
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS));
    assertTrue(pool().isTerminated());
  }

  @Test
  default void shutdown_waitsForARunningTask() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held);
    held.started().await(PATIENCE);
    assertFalse(pool().awaitTermination(10, MILLISECONDS), "terminated while running and not shut down");
    pool().shutdown();
    assertFalse(pool().isTerminated());
    assertFalse(pool().awaitTermination(10, MILLISECONDS), "terminated while a task runs");
    held.release().fire();
    assertEquals(HeldTask.RELEASED, get(f));
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS));
    assertTrue(pool().isTerminated());
    assertFalse(held.interrupted().isFired(), "shutdown() interrupted a running task");
  }

  @Test
  default void shutdownNow_returnsNeverStartedTasksCancelled() throws Exception {
    int workers = assumeFillable(pool());
    FileSignal release = newSignal();
    List<TaskFuture<String>> holders = occupy(pool(), workers, release);
    List<FileSignal> ran = new ArrayList<>();
    List<TaskFuture<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      FileSignal r = newSignal();
      ran.add(r);
      queued.add(pool().submit(() -> {
        r.fire();
        return 1;
      }));
    }
    List<Runnable> never = pool().shutdownNow();
    assertEquals(3, never.size(), () -> "never started: " + never);
    for (TaskFuture<Integer> q : queued) {
      assertTrue(q.isCancelled(), () -> "queued task not cancelled: " + q);
      assertThrows(CancellationException.class, q::join);
    }
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS));
    for (TaskFuture<String> h : holders) {
      assertTrue(h.isDone());
    }
    for (FileSignal r : ran) {
      assertFalse(r.isFired(), "a task returned by shutdownNow ran");
    }
  }

  @Test
  default void shutdownNow_interruptsRunningTasks() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held);
    held.started().await(PATIENCE);
    pool().shutdownNow();
    held.interrupted().await(PATIENCE);
    assertTrue(pool().awaitTermination(WAIT_SECONDS, SECONDS));
    assertTrue(pool().isTerminated());
    assertTrue(f.isDone(), "an interrupted task's future completes");
    assertThrows(RejectedExecutionException.class, () -> pool().submit(() -> 1));
  }

  @Test
  default void close_waitsForRunningTasks() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held);
    held.started().await(PATIENCE);
    Pool p = pool();
    Thread closer = Thread.ofPlatform().name("contract-closer").start(p::close);
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!p.isShutdown() && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertTrue(p.isShutdown(), "close() did not shut down");
    assertFalse(f.isDone());
    held.release().fire();
    assertTrue(closer.join(PATIENCE), "close() did not return after the task finished");
    assertTrue(f.isDone(), "close() returned before the task finished");
    assertEquals(HeldTask.RELEASED, f.resultNow());
    assertTrue(p.isTerminated());
  }

  @Test
  default void close_afterSubmitting_returnsWhenEveryTaskIsDone() {
    List<TaskFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = i;
      futures.add(pool().submit(() -> n + 1));
    }
    pool().close();
    for (int i = 0; i < 10; i++) {
      assertTrue(futures.get(i).isDone(), "close() returned before a task finished");
      assertEquals(i + 1, futures.get(i).resultNow());
    }
    assertTrue(pool().isTerminated());
  }

  @Test
  default void shutdownAndClose_areIdempotent() throws Exception {
    Pool p = pool();
    assertEquals(1, get(p.submit(() -> 1)));
    p.shutdown();
    p.shutdown();
    assertEquals(List.of(), p.shutdownNow());
    assertEquals(List.of(), p.shutdownNow());
    p.close();
    p.close();
    assertTrue(p.isTerminated());
  }
}
