package dev.unipool.spi;

import dev.unipool.TaskTimeoutException;
import dev.unipool.TaskTimings;
import dev.unipool.WorkerInfo;
import dev.unipool.internal.TaskAdapters;
import dev.unipool.internal.jfr.Jfr;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link TaskRun}'s clock readings say: its {@link TaskTimings}, its run time, and the
 * {@code dev.unipool.Task} flight-recorder event. The readings stay in the task (a {@code long[]} of
 * submitted, started and finished {@code nanoTime}, written with release stores); this class only reads
 * them, apart from the task's state machine.
 *
 * <p>Threading: every method may be called from any thread; a reading not yet published reads as 0.
 */
final class TaskTimes {
  private static final long EPOCH_NANOS = System.nanoTime();
  @SuppressWarnings("TimeInStaticInitializer") // deliberate: the one wall-clock reading nanoTime is paired with
  private static final Instant EPOCH = Instant.now();
  private static final VarHandle TIMES = MethodHandles.arrayElementVarHandle(long[].class);

  private TaskTimes() {}

  /** The timings of a task whose readings are {@code t} (null when not recorded). */
  static TaskTimings timings(long @Nullable [] t, boolean done) {
    if (t == null) {
      return TaskTimings.NONE;
    }
    long s = (long) TIMES.getAcquire(t, 1);
    long f = (long) TIMES.getAcquire(t, 2);
    return new TaskTimings(instant(t[0]), s == 0 ? null : instant(s), f == 0 || !done ? null : instant(f));
  }

  /** Nanoseconds from start to finish, or -1 if not both happened (or nothing was recorded). */
  static long runNanos(long @Nullable [] t) {
    if (t == null) {
      return -1;
    }
    long s = (long) TIMES.getAcquire(t, 1);
    long f = (long) TIMES.getAcquire(t, 2);
    return s == 0 || f == 0 ? -1 : f - s;
  }

  private static Instant instant(long nanos) {
    return EPOCH.plusNanos(nanos - EPOCH_NANOS);
  }

  /**
   * Commits the flight-recorder event {@code e} of {@code run}, which has just completed (and was not
   * rejected): who ran it, how long it waited and ran, and its outcome.
   */
  static void commit(Object e, TaskRun<?> run, AbstractPool pool, long @Nullable [] t) {
    String worker = null;
    long workerPid = -1;
    WorkerInfo w = run.worker().orElse(null);
    if (w != null) {
      worker = w.name();
      workerPid = w.pid();
    }
    long queued = 0;
    long ran = 0;
    if (t != null) {
      long s = (long) TIMES.getAcquire(t, 1);
      long f = (long) TIMES.getAcquire(t, 2);
      queued = s == 0 ? (f == 0 ? 0 : f - t[0]) : s - t[0];
      ran = s == 0 || f == 0 ? 0 : f - s;
    }
    String outcome;
    String exception = null;
    if (run.isCancelled()) {
      outcome = "cancelled";
    } else if (run.isCompletedExceptionally()) {
      Throwable x = run.exceptionNow();
      outcome = x instanceof TaskTimeoutException ? "timed out" : "failed";
      exception = x.getClass().getName();
    } else {
      outcome = "completed";
    }
    Jfr.commitTask(e, pool.options().name(), pool.backend().toString(),
        TaskAdapters.displayName(TaskAdapters.kindOf(run.task())), worker, workerPid, queued, ran, outcome, exception);
  }
}
