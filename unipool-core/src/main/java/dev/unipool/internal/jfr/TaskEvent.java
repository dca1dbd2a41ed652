package dev.unipool.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import org.jspecify.annotations.Nullable;

/**
 * {@code dev.unipool.Task}: one task, from {@code submit} (the event's start) to its outcome (its end),
 * committed on the thread that completed it. Created only while a recording has the event enabled.
 */
@Name("dev.unipool.Task")
@Label("Task")
@Category("unipool")
@Description("A task of a unipool pool, from submit to its outcome")
@StackTrace(false)
public final class TaskEvent extends jdk.jfr.Event {
  /** The pool's name. */
  @Label("Pool")
  public @Nullable String pool;

  /** The backend, as {@code Backend.toString()} writes it. */
  @Label("Backend")
  public @Nullable String backend;

  /** What was submitted: the task's class, or its map function's. */
  @Label("Task")
  public @Nullable String task;

  /** The worker's name. */
  @Label("Worker")
  public @Nullable String worker;

  /** The worker's process id, or -1. */
  @Label("Worker PID")
  public long workerPid = -1;

  /** From submit to start. */
  @Label("Queued")
  @Timespan(Timespan.NANOSECONDS)
  public long queued;

  /** From start to outcome. */
  @Label("Run")
  @Timespan(Timespan.NANOSECONDS)
  public long run;

  /** completed, failed, timed out or cancelled. */
  @Label("Outcome")
  public @Nullable String outcome;

  /** The class of the exception a failed task threw. */
  @Label("Exception")
  public @Nullable String exception;

  /** The encoded task's size, for backends that send it elsewhere. */
  @Label("Bytes Sent")
  @DataAmount
  public long bytesSent;

  /** The encoded result's size, for backends that receive it from elsewhere. */
  @Label("Bytes Received")
  @DataAmount
  public long bytesReceived;
}
