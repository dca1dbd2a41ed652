package dev.unipool.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.jspecify.annotations.Nullable;

/** {@code dev.unipool.WorkerExit}: a worker ended or was lost. */
@Name("dev.unipool.WorkerExit")
@Label("Worker Exit")
@Category("unipool")
@Description("A worker of a unipool pool exited or was lost")
@StackTrace(false)
public final class WorkerExitEvent extends jdk.jfr.Event {
  /** The pool's name. */
  @Label("Pool")
  public @Nullable String pool;

  /** The backend. */
  @Label("Backend")
  public @Nullable String backend;

  /** The worker's name. */
  @Label("Worker")
  public @Nullable String worker;

  /** The worker's process id. */
  @Label("PID")
  public long pid = -1;

  /** Its exit code, or -1 if it was ended by a signal or its status is unknown. */
  @Label("Exit Code")
  public int exitCode = -1;

  /** The signal that ended it, or 0. */
  @Label("Signal")
  public int signal;

  /** Why it ended, in words. */
  @Label("Reason")
  public @Nullable String reason;

  /** Tasks it finished. */
  @Label("Tasks Run")
  public long tasksRun;
}
