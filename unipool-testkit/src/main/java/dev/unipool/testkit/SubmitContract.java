package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.PATIENCE;
import static dev.unipool.testkit.ContractSupport.WAIT_SECONDS;
import static dev.unipool.testkit.ContractSupport.failingAction;
import static dev.unipool.testkit.ContractSupport.get;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Pool;
import dev.unipool.SerializableRunnable;
import dev.unipool.TaskFuture;
import dev.unipool.TaskOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Submitting tasks and reading their results; {@code execute}; many threads submitting at once.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface SubmitContract extends PoolFixture {
  @Test
  default void submit_callable_returnsItsResult() throws Exception {
    int base = 40;
    TaskFuture<String> f = pool().submit(() -> "answer " + (base + 2));
    assertEquals("answer 42", get(f));
    assertTrue(f.isDone());
    assertEquals(Future.State.SUCCESS, f.state());
    assertEquals("answer 42", f.join());
    assertEquals("answer 42", f.resultNow());
  }

  @Test
  @SuppressWarnings("NullAway") // the API's type parameters have no @Nullable bound; null results still work
  default void submit_callableReturningNull_completesWithNull() throws Exception {
    TaskFuture<String> f = pool().submit(() -> null);
    assertNull(get(f));
    assertEquals(Future.State.SUCCESS, f.state());
  }

  @Test
  default void submit_callable_returnsCollectionsArraysAndRecords() throws Exception {
    TaskFuture<List<Integer>> list = pool().submit(() -> List.of(1, 2, 3));
    TaskFuture<int[]> array = pool().submit(() -> new int[] {4, 5, 6});
    TaskFuture<FileSignal> record = pool().submit(() -> new FileSignal("/made/in/a/task"));
    assertEquals(List.of(1, 2, 3), get(list));
    assertArrayEquals(new int[] {4, 5, 6}, get(array));
    assertEquals(new FileSignal("/made/in/a/task"), get(record));
  }

  @Test
  default void submit_runnable_runsAndCompletesWithNull() throws Exception {
    FileSignal ran = newSignal();
    TaskFuture<?> f = pool().submit(() -> ran.fire());
    assertNull(get(f));
    assertTrue(ran.isFired());
  }

  @Test
  default void submit_runnableWithResult_completesWithThatResult() throws Exception {
    FileSignal ran = newSignal();
    SerializableRunnable action = ran::fire; // submit(Runnable, T) has no serializable overload
    TaskFuture<String> f = pool().submit(action, "done");
    assertEquals("done", get(f));
    assertTrue(ran.isFired());
  }

  @Test
  default void submit_withTaskOptions_runsTheTask() throws Exception {
    FileSignal ran = newSignal();
    assertEquals(7, get(pool().submit(() -> 7, TaskOptions.none())));
    assertEquals(8, get(pool().submit(() -> 8, TaskOptions.timeout(PATIENCE))));
    assertNull(get(pool().submit(() -> ran.fire(), TaskOptions.none())));
    assertTrue(ran.isFired());
  }

  @Test
  default void submit_valuesCapturedByTheTask_reachTheTask() throws Exception {
    String text = "captured";
    List<Integer> numbers = List.of(1, 2, 3);
    long big = 1L << 40;
    TaskFuture<String> f = pool().submit(() -> text + numbers.stream().mapToInt(Integer::intValue).sum() + big);
    assertEquals("captured6" + (1L << 40), get(f));
  }

  @Test
  default void toCompletableFuture_isADependentCopy() throws Exception {
    assumeConcurrent();
    HeldTask held = newHeldTask();
    TaskFuture<String> f = pool().submit(held);
    CompletableFuture<String> copy = f.toCompletableFuture();
    assertTrue(copy.complete("not the task's result"));
    assertFalse(f.isDone(), "completing the copy completed the task");
    held.release().fire();
    assertEquals(HeldTask.RELEASED, get(f));
    assertEquals(HeldTask.RELEASED, get(f.toCompletableFuture()));
  }

  @Test
  default void execute_failure_reachesTheUncaughtHandler() throws Exception {
    LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
    Pool p = newPool(options().uncaughtHandler(failures::add));
    FileSignal ran = newSignal();
    p.execute(() -> ran.fire());
    p.execute(() -> failingAction("from execute"));
    Throwable t = failures.poll(WAIT_SECONDS, SECONDS);
    ContractException e = assertInstanceOf(ContractException.class, t, "the handler got the task's exception");
    assertEquals("from execute", e.getMessage());
    p.shutdown();
    assertTrue(p.awaitTermination(WAIT_SECONDS, SECONDS));
    assertTrue(ran.isFired());
    assertEquals(List.of(), List.copyOf(failures), "only failures reach the handler, each once");
  }

  @Test
  default void manyConcurrentSubmitters_getEveryResultRight() throws Exception {
    int threads = 8;
    int perThread = 500;
    CyclicBarrier start = new CyclicBarrier(threads);
    Pool shared = pool(); // one pool for all submitters, opened before they race
    List<CompletableFuture<List<TaskFuture<Long>>>> submitted = new ArrayList<>();
    List<Thread> submitters = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      CompletableFuture<List<TaskFuture<Long>>> mine = new CompletableFuture<>();
      submitted.add(mine);
      submitters.add(Thread.ofPlatform().name("contract-submitter-" + t).start(() -> {
        try {
          start.await();
          List<TaskFuture<Long>> fs = new ArrayList<>(perThread);
          for (int i = 0; i < perThread; i++) {
            long n = thread * 1_000_000L + i;
            fs.add(shared.submit(() -> n * n + 1));
          }
          mine.complete(fs);
        } catch (Throwable e) {
          mine.completeExceptionally(e);
        }
      }));
    }
    for (int t = 0; t < threads; t++) {
      List<TaskFuture<Long>> fs = submitted.get(t).get(WAIT_SECONDS, SECONDS);
      for (int i = 0; i < perThread; i++) {
        long n = t * 1_000_000L + i;
        assertEquals(n * n + 1, get(fs.get(i)), "thread " + t + " task " + i);
      }
    }
    for (Thread s : submitters) {
      assertTrue(s.join(PATIENCE));
    }
  }
}
