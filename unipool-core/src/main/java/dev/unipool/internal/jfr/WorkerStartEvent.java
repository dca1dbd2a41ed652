package dev.unipool.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.jspecify.annotations.Nullable;

/**
 * {@code dev.unipool.WorkerStart}: a worker became ready; the event spans its start-up (launch to ready).
 */
@Name("dev.unipool.WorkerStart")
@Label("Worker Start")
@Category("unipool")
@Description("A worker of a unipool pool became ready; the event spans its start-up")
@StackTrace(false)
public final class WorkerStartEvent extends jdk.jfr.Event {
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

  /** Where it runs. */
  @Label("Host")
  public @Nullable String host;

  /** How many workers held the slot before this one. */
  @Label("Restarts")
  public int restarts;
}
