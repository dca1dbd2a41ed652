package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.awaitDone;
import static dev.unipool.testkit.ContractSupport.get;
import static dev.unipool.testkit.ContractSupport.present;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import dev.unipool.TaskTimings;
import dev.unipool.Worker;
import dev.unipool.WorkerInfo;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who ran a task ({@code TaskFuture.worker()}) and when ({@code TaskFuture.timings()}).
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface WorkerIdentityContract extends PoolFixture {
  @Test
  default void worker_afterCompletion_isTheWorkerThatRanTheTask() throws Exception {
    TaskFuture<WorkerInfo> f = pool().submit(() -> Worker.current());
    WorkerInfo inside = get(f);
    WorkerInfo reported = f.worker().orElseThrow(() -> new AssertionError("no worker after completion"));
    assertEquals(inside.pid(), reported.pid(), "pid");
    assertEquals(inside.name(), reported.name(), "name");
  }

  @Test
  default void worker_ofFailedTask_isPresent() throws Exception {
    TaskFuture<Integer> f = pool().submit(() -> {
      throw new ContractException("failed", 1);
    });
    awaitDone(f);
    assertTrue(f.worker().isPresent(), "a task that ran and failed names its worker");
  }

  @Test
  default void timings_afterCompletion_areOrdered() throws Exception {
    Pool timed = newPool(options().timings(true));
    TaskFuture<Integer> ok = timed.submit(() -> 1);
    TaskFuture<Integer> failed = timed.submit(() -> {
      throw new ContractException("failed", 1);
    });
    get(ok);
    awaitDone(failed);
    for (TaskFuture<Integer> f : List.of(ok, failed)) {
      TaskTimings t = f.timings();
      Instant started = present(t.started(), "started");
      Instant finished = present(t.finished(), "finished");
      Instant submitted = present(t.submitted(), "submitted");
      assertFalse(started.isBefore(submitted), () -> "started before submitted: " + t);
      assertFalse(finished.isBefore(started), () -> "finished before started: " + t);
      assertFalse(t.queued().orElseThrow().isNegative());
      assertFalse(t.ran().orElseThrow().isNegative());
    }
  }
}
