package dev.unipool;

import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * The worker running a task died before the task finished (exit, crash, out of memory, killed from
 * outside). Only the tasks that were running on that worker fail with it; the pool replaces the worker.
 * It is the cause of the {@link java.util.concurrent.ExecutionException} thrown by the task's future.
 * Idempotent tasks can be re-run automatically with {@link PoolOptions#retries(int)}.
 */
public final class WorkerCrashedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The worker's name. */
  private final String worker;
  /** The worker's process id. */
  private final long pid;
  /** Its exit code, or null if unknown or killed by a signal. */
  private final @Nullable Integer exitCode;
  /** The signal that killed it, or null. */
  private final @Nullable Integer signal;
  /** The last lines it wrote to stderr, possibly empty. */
  private final String stderrTail;

  /**
   * Creates the exception.
   *
   * @param worker the worker's name
   * @param pid the worker's process id
   * @param exitCode its exit code, or null if unknown or killed by a signal
   * @param signal the signal that killed it, or null
   * @param stderrTail the last lines it wrote to stderr (may be empty)
   * @param detail a few words on what happened, e.g. "connection lost"
   */
  public WorkerCrashedException(
      String worker, long pid, @Nullable Integer exitCode, @Nullable Integer signal, String stderrTail, String detail) {
    super(message(worker, pid, exitCode, signal, stderrTail, detail));
    this.worker = worker;
    this.pid = pid;
    this.exitCode = exitCode;
    this.signal = signal;
    this.stderrTail = stderrTail;
  }

  private static String message(
      String worker, long pid, @Nullable Integer exitCode, @Nullable Integer signal, String tail, String detail) {
    StringBuilder sb = new StringBuilder(worker).append(" (pid ").append(pid).append(") died while running the task");
    if (signal != null) {
      sb.append(": killed by signal ").append(signal).append(signalName(signal));
    } else if (exitCode != null) {
      sb.append(": exit code ").append(exitCode);
    }
    sb.append(" (").append(detail).append(')');
    if (!tail.isBlank()) {
      sb.append("; last stderr lines:\n").append(tail.stripTrailing());
    }
    return sb.toString();
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 9 -> " (SIGKILL)";
      case 15 -> " (SIGTERM)";
      case 11 -> " (SIGSEGV)";
      case 6 -> " (SIGABRT)";
      default -> "";
    };
  }

  /**
   * The name of the worker that died.
   *
   * @return e.g. {@code worker-2}
   */
  public String worker() {
    return worker;
  }

  /**
   * The process id of the worker that died.
   *
   * @return the pid
   */
  public long pid() {
    return pid;
  }

  /**
   * The worker's exit code, if it exited rather than being killed by a signal.
   *
   * @return the exit code, or empty
   */
  public OptionalInt exitCode() {
    return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
  }

  /**
   * The signal that killed the worker, if any.
   *
   * @return the signal number, or empty
   */
  public OptionalInt signal() {
    return signal == null ? OptionalInt.empty() : OptionalInt.of(signal);
  }

  /**
   * The last lines the worker wrote to stderr before it died, for diagnosis.
   *
   * @return the lines, possibly empty
   */
  public String stderrTail() {
    return stderrTail;
  }
}
