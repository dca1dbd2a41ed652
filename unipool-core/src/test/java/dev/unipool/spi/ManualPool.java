package dev.unipool.spi;

import dev.unipool.Backend;
import dev.unipool.PoolOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A pool whose backend only collects the tasks it is given: the test decides when each one runs, and on
 * which thread, so what the shared machinery ({@link AbstractPool}, {@link TaskRun}, the map engine) does
 * can be checked step by step, without a scheduler in between.
 */
public final class ManualPool extends AbstractPool {
  private final LinkedBlockingQueue<TaskRun<?>> dispatched = new LinkedBlockingQueue<>();
  private final boolean runOnDispatch;
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final List<TaskRun<?>> all = new ArrayList<>();
  private volatile boolean shut;

  /**
   * A pool that labels itself {@code threads(2)} (parallelism 2).
   *
   * @param options the pool options
   * @param runOnDispatch whether each task runs at once, on the submitting thread, instead of waiting for
   *     {@link #next()}
   */
  public ManualPool(PoolOptions options, boolean runOnDispatch) {
    super(Backend.threads(2), options);
    this.runOnDispatch = runOnDispatch;
  }

  @Override
  protected void dispatch(TaskRun<?> run) {
    int undone = 1;
    synchronized (all) {
      for (TaskRun<?> r : all) {
        undone += r.isDone() ? 0 : 1; // counted, not tracked with a callback: that would be a dependent stage
      }
      all.add(run);
    }
    maxInFlight.accumulateAndGet(undone, Math::max);
    if (runOnDispatch) {
      run.run();
    } else {
      dispatched.add(run);
    }
  }

  /**
   * The next task handed to the backend and not yet taken, waiting up to 30 seconds for one.
   *
   * @return the task
   * @throws InterruptedException if interrupted while waiting
   */
  public TaskRun<?> next() throws InterruptedException {
    TaskRun<?> r = dispatched.poll(30, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no task was dispatched within 30 s");
    }
    return r;
  }

  /**
   * The next task handed to the backend, if one comes within {@code millis}.
   *
   * @param millis the most to wait
   * @return the task, or null
   * @throws InterruptedException if interrupted while waiting
   */
  public @Nullable TaskRun<?> poll(long millis) throws InterruptedException {
    return dispatched.poll(millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Every task ever dispatched, in order.
   *
   * @return a copy
   */
  public List<TaskRun<?>> all() {
    synchronized (all) {
      return List.copyOf(all);
    }
  }

  /**
   * The most tasks that were dispatched and not yet done at any one time.
   *
   * @return the high-water mark
   */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  /**
   * The bounded queue's slots held now.
   *
   * @return 0 once every accepted task has started or finished
   */
  public int slotsTaken() {
    return queueSlotsTaken();
  }

  @Override
  protected void shutdownBackend() {
    shut = true;
  }

  @Override
  protected List<TaskRun<?>> shutdownBackendNow() {
    List<TaskRun<?>> never = new ArrayList<>();
    dispatched.drainTo(never);
    return never;
  }

  @Override
  protected boolean awaitBackend(long nanos) {
    return shut; // it runs nothing on threads of its own
  }

  @Override
  protected boolean backendTerminated() {
    return shut;
  }
}
