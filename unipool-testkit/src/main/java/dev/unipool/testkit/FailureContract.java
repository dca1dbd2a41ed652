package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.WAIT_SECONDS;
import static dev.unipool.testkit.ContractSupport.awaitDone;
import static dev.unipool.testkit.ContractSupport.failingAction;
import static dev.unipool.testkit.ContractSupport.failureOf;
import static dev.unipool.testkit.ContractSupport.get;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.unipool.TaskFuture;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A task's exception reaches the caller with its type, message, fields and cause, and leaves the pool usable.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface FailureContract extends PoolFixture {
  @Test
  default void taskException_keepsTypeMessageAndCause() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new IllegalStateException("boom", new IOException("disk full"));
    });
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT_SECONDS, SECONDS));
    IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
    assertEquals("boom", cause.getMessage());
    IOException root = assertInstanceOf(IOException.class, cause.getCause());
    assertEquals("disk full", root.getMessage());
    assertEquals(Future.State.FAILED, f.state());
    assertFalse(f.isCancelled());
    assertInstanceOf(IllegalStateException.class, f.exceptionNow());
  }

  @Test
  default void customException_keepsTypeMessageFieldsAndCause() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new ContractException("custom failure", 42, new ContractException("inner", 7));
    });
    ContractException e = assertInstanceOf(ContractException.class, failureOf(f));
    assertEquals("custom failure", e.getMessage());
    assertEquals(42, e.code());
    ContractException inner = assertInstanceOf(ContractException.class, e.getCause());
    assertEquals("inner", inner.getMessage());
    assertEquals(7, inner.code());
  }

  @Test
  default void checkedException_isTheCauseOfExecutionException() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new IOException("checked");
    });
    IOException e = assertInstanceOf(IOException.class, failureOf(f));
    assertEquals("checked", e.getMessage());
  }

  @Test
  default void error_isReportedLikeAnException() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new AssertionError("assertion in task");
    });
    AssertionError e = assertInstanceOf(AssertionError.class, failureOf(f));
    assertEquals("assertion in task", e.getMessage());
  }

  @Test
  default void runnableException_isTheCauseOfExecutionException() throws Exception {
    TaskFuture<?> f = pool().submit(() -> failingAction("runnable failed"));
    ContractException e = assertInstanceOf(ContractException.class, failureOf(f));
    assertEquals("runnable failed", e.getMessage());
  }

  @Test
  default void taskException_join_throwsCompletionExceptionWithTheCause() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new UnsupportedOperationException("no join for you");
    });
    awaitDone(f);
    CompletionException e = assertThrows(CompletionException.class, f::join);
    UnsupportedOperationException cause = assertInstanceOf(UnsupportedOperationException.class, e.getCause());
    assertEquals("no join for you", cause.getMessage());
  }

  @Test
  default void taskException_reachesDependentStagesAsTheOriginal() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new IllegalArgumentException("for handle");
    });
    Throwable seen = f.handle((v, e) -> e).toCompletableFuture().get(WAIT_SECONDS, SECONDS);
    IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, seen);
    assertEquals("for handle", e.getMessage());
  }

  @Test
  default void taskFailure_leavesThePoolUsable() throws Exception {
    for (int i = 0; i < 3; i++) {
      int n = i;
      TaskFuture<Integer> bad = pool().submit(() -> {
        throw new ContractException("failure " + n, n);
      });
      assertEquals(n, assertInstanceOf(ContractException.class, failureOf(bad)).code());
      assertEquals(n, get(pool().submit(() -> n)));
    }
  }
}
