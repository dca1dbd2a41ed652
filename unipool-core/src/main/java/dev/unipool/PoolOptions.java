package dev.unipool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Backend-independent settings of a {@link Pool}: an immutable value; each {@code with}-style method
 * returns a new instance. Start from {@link #defaults()}.
 *
 * <pre>{@code
 * Pool pool = Pool.of(Backend.threads(4),
 *     PoolOptions.defaults().queue(1_000, Overflow.BLOCK).taskTimeout(Duration.ofSeconds(30)));
 * }</pre>
 *
 * @param queueCapacity the most tasks that may wait to start; {@code 0} means unbounded
 * @param overflow what {@code submit} does when {@code queueCapacity} tasks already wait
 * @param taskTimeout the default run-time limit of each task, or {@code null} for none
 * @param retries how many times a task that lost its worker (crash, kill) is re-run; tasks must be idempotent
 * @param uncaughtHandler receives failures of tasks passed to {@link Pool#execute(Runnable)}, which
 *     have no future to report them; called on the thread that completed the task
 * @param name a label used in thread names and log messages
 * @param timings whether every task records when it was submitted, started and finished
 *     ({@link TaskFuture#timings()}); off by default because reading the clock three times can cost more
 *     than running a tiny task. The worker-process backend always records them (the cost is noise there).
 */
public record PoolOptions(
    int queueCapacity,
    Overflow overflow,
    @Nullable Duration taskTimeout,
    int retries,
    Consumer<? super Throwable> uncaughtHandler,
    String name,
    boolean timings) {

  private static final System.Logger LOG = System.getLogger("dev.unipool");

  /** The default handler: logs the failure at {@code ERROR} with {@link System.Logger}. */
  public static final Consumer<Throwable> LOG_UNCAUGHT =
      e -> LOG.log(Level.ERROR, "task passed to execute() failed", e);

  private static final PoolOptions DEFAULTS =
      new PoolOptions(0, Overflow.BLOCK, null, 0, LOG_UNCAUGHT, "unipool", false);

  /**
   * Options without timings; see the canonical constructor.
   *
   * @param queueCapacity the most tasks that may wait to start; {@code 0} means unbounded
   * @param overflow what {@code submit} does when the queue is full
   * @param taskTimeout the default run-time limit, or null
   * @param retries re-runs after a lost worker
   * @param uncaughtHandler receives failures of {@code execute} tasks
   * @param name a label for threads and logs
   */
  public PoolOptions(int queueCapacity, Overflow overflow, @Nullable Duration taskTimeout, int retries,
      Consumer<? super Throwable> uncaughtHandler, String name) {
    this(queueCapacity, overflow, taskTimeout, retries, uncaughtHandler, name, false);
  }

  /**
   * Validates every component.
   *
   * @throws IllegalArgumentException if a number is negative, the timeout is not positive or the name is blank
   */
  public PoolOptions {
    Objects.requireNonNull(overflow, "overflow");
    Objects.requireNonNull(uncaughtHandler, "uncaughtHandler");
    Objects.requireNonNull(name, "name");
    if (queueCapacity < 0) {
      throw new IllegalArgumentException("queue capacity must be 0 (unbounded) or positive, got " + queueCapacity);
    }
    if (taskTimeout != null && (taskTimeout.isNegative() || taskTimeout.isZero())) {
      throw new IllegalArgumentException("task timeout must be positive, got " + taskTimeout);
    }
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
    }
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
  }

  /**
   * The defaults: unbounded queue, no task timeout, no retries, failures of {@code execute} logged, no timings.
   *
   * @return the default options
   */
  public static PoolOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Bounds the number of tasks waiting to start. Running tasks do not count.
   *
   * @param capacity the most waiting tasks, at least 1
   * @param overflow what {@code submit} does when the queue is full
   * @return new options
   * @throws IllegalArgumentException if {@code capacity < 1}
   */
  public PoolOptions queue(int capacity, Overflow overflow) {
    if (capacity < 1) {
      throw new IllegalArgumentException("queue capacity must be at least 1, got " + capacity);
    }
    return new PoolOptions(capacity, overflow, taskTimeout, retries, uncaughtHandler, name, timings);
  }

  /**
   * Sets the default run-time limit of every task, measured from the moment it starts. A task that
   * exceeds it fails with {@link TaskTimeoutException}; see {@link TaskOptions#timeout(Duration)} for
   * what each backend does to stop it.
   *
   * @param timeout a positive duration
   * @return new options
   * @throws IllegalArgumentException if {@code timeout} is zero or negative
   */
  public PoolOptions taskTimeout(Duration timeout) {
    return new PoolOptions(queueCapacity, overflow, timeout, retries, uncaughtHandler, name, timings);
  }

  /**
   * Re-runs a task up to {@code retries} more times when its worker is lost (worker-process or cluster
   * backends); exceptions thrown by the task itself are never retried. Only for idempotent tasks.
   *
   * <p>An <em>attempt</em> is used up only when the worker is lost while the task was running: the task
   * may be what killed it. Tasks that had not begun (queued, or prefetched to the worker) are re-sent
   * without using an attempt. On the worker-process backend, a task that had finished but whose result
   * was lost with its worker (results are sent in batches) runs again without using an attempt, so that
   * only the running task fails: such a task may run twice. The map family
   * ({@code map}, {@code imap}, {@code imapUnordered}, {@code starmap}) sends items in chunks, and a chunk
   * is one task: its attempts are counted as above, and a chunk that fails fails the whole call.
   *
   * @param retries 0 or more
   * @return new options
   * @throws IllegalArgumentException if {@code retries < 0}
   */
  public PoolOptions retries(int retries) {
    return new PoolOptions(queueCapacity, overflow, taskTimeout, retries, uncaughtHandler, name, timings);
  }

  /**
   * Sets the handler for failures of tasks passed to {@link Pool#execute(Runnable)}.
   *
   * @param handler called with each such failure; it must not block
   * @return new options
   */
  public PoolOptions uncaughtHandler(Consumer<? super Throwable> handler) {
    return new PoolOptions(queueCapacity, overflow, taskTimeout, retries, handler, name, timings);
  }

  /**
   * Sets the label used in thread names and log messages.
   *
   * @param name a non-blank label
   * @return new options
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public PoolOptions name(String name) {
    return new PoolOptions(queueCapacity, overflow, taskTimeout, retries, uncaughtHandler, name, timings);
  }

  /**
   * Turns recording of task timings on or off (see {@link TaskFuture#timings()}).
   *
   * @param record whether to record
   * @return new options
   */
  public PoolOptions timings(boolean record) {
    return new PoolOptions(queueCapacity, overflow, taskTimeout, retries, uncaughtHandler, name, record);
  }
}
