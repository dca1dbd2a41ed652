package dev.unipool.spi;

import dev.unipool.PoolStats;
import dev.unipool.WorkerInfo;
import java.util.concurrent.Future;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck model checking of {@link TaskRun}'s hand-offs: the claim that lets exactly one of complete,
 * cancel and a timeout decide the outcome, the start that races it, and the queue slot released once. The
 * operations must be linearizable (as if run one at a time, in some order consistent with real time), and
 * after every interleaving the pool's counters and slots must agree with the task's state.
 */
public class TaskRunLincheckTest {
  private static final WorkerInfo WORKER = new WorkerInfo(1, "w", "w", "localhost");

  private final RacePool pool = new RacePool();
  private final TaskRun<Integer> run = pool.newTask();

  /** For Lincheck: each scenario starts from a fresh pool with one submitted task. */
  public TaskRunLincheckTest() {}

  @Operation
  public boolean complete() {
    return run.complete(1);
  }

  @Operation
  public boolean fail() {
    return run.completeExceptionally(new IllegalStateException("failed"));
  }

  @Operation
  public boolean cancel() {
    return run.cancel(true);
  }

  @Operation
  public boolean start() {
    return run.start(WORKER);
  }

  @Operation
  public String state() {
    return run.isDone() ? run.state().name() : Future.State.RUNNING.name();
  }

  @Operation
  public int slots() {
    return pool.queueSlotsTaken();
  }

  /** After every interleaving: one outcome counted, no slot held by a task that started or finished. */
  @Validate
  public void countersAgreeWithTheTask() {
    PoolStats s = pool.stats();
    boolean done = run.isDone();
    boolean started = run.started();
    check(s.submitted() == 1, "submitted", s);
    check(s.completed() + s.failed() + s.cancelled() == (done ? 1 : 0), "outcomes", s);
    check(s.running() == (started && !done ? 1 : 0), "running", s);
    check(s.queued() == (!started && !done ? 1 : 0), "queued", s);
    check(pool.queueSlotsTaken() == (started || done ? 0 : 1), "queue slots " + pool.queueSlotsTaken(), s);
  }

  private void check(boolean ok, String what, PoolStats s) {
    if (!ok) {
      throw new IllegalStateException(what + " disagrees with the task (done " + run.isDone() + ", started "
          + run.started() + "):\n" + s.table());
    }
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions().iterations(30).invocationsPerIteration(2_000).threads(3).actorsPerThread(2)
        .check(TaskRunLincheckTest.class);
  }
}
