package dev.unipool.internal.jfr;

import jdk.jfr.FlightRecorder;
import org.jspecify.annotations.Nullable;

/**
 * Where unipool's code meets JDK Flight Recorder. Nothing here names an event class: loading the first
 * {@code jdk.jfr.Event} subclass costs 100-200 ms of JFR start-up, so the event classes (in {@link Events})
 * are loaded only once Flight Recorder has been initialized, by a recording started on the command line,
 * with {@code jcmd JFR.start}, or through the API. Before that, each call costs one static read.
 */
public final class Jfr {
  private Jfr() {}

  /**
   * Whether Flight Recorder has been initialized in this JVM, so that a recording may want task events.
   *
   * @return true once any recording has been started
   */
  public static boolean initialized() {
    return FlightRecorder.isInitialized();
  }

  /**
   * A {@code dev.unipool.Task} event begun now, if a recording wants it.
   *
   * @return the event, to pass to {@link #transferred} and {@link #commitTask}, or null
   */
  public static @Nullable Object beginTask() {
    return FlightRecorder.isInitialized() ? Events.beginTask() : null;
  }

  /**
   * Records the encoded sizes of a task and its result on its event.
   *
   * @param event what {@link #beginTask()} returned (not null)
   * @param sent bytes sent
   * @param received bytes received
   */
  public static void transferred(Object event, long sent, long received) {
    Events.transferred(event, sent, received);
  }

  /**
   * Fills in and commits a task event.
   *
   * @param event what {@link #beginTask()} returned (not null)
   * @param pool the pool's name
   * @param backend the backend
   * @param task what was submitted
   * @param worker the worker's name, or null
   * @param workerPid its pid, or -1
   * @param queuedNanos submit to start
   * @param runNanos start to outcome
   * @param outcome completed, failed, timed out or cancelled
   * @param exception the failure's class name, or null
   */
  public static void commitTask(Object event, String pool, String backend, String task, @Nullable String worker,
      long workerPid, long queuedNanos, long runNanos, String outcome, @Nullable String exception) {
    Events.commitTask(event, pool, backend, task, worker, workerPid, queuedNanos, runNanos, outcome, exception);
  }

  /**
   * Emits {@code dev.unipool.WorkerStart} if a recording wants it.
   *
   * @param pool the pool's name
   * @param backend the backend
   * @param worker the worker's name
   * @param pid its pid
   * @param host where it runs
   * @param restarts workers before it in its slot
   */
  public static void workerStart(String pool, String backend, String worker, long pid, String host, int restarts) {
    if (FlightRecorder.isInitialized()) {
      Events.workerStart(pool, backend, worker, pid, host, restarts);
    }
  }

  /**
   * Emits {@code dev.unipool.WorkerExit} if a recording wants it.
   *
   * @param pool the pool's name
   * @param backend the backend
   * @param worker the worker's name
   * @param pid its pid
   * @param exitCode its exit code, or -1
   * @param signal the signal that ended it, or 0
   * @param reason why it ended
   * @param tasksRun tasks it finished
   */
  public static void workerExit(String pool, String backend, String worker, long pid, int exitCode, int signal,
      String reason, long tasksRun) {
    if (FlightRecorder.isInitialized()) {
      Events.workerExit(pool, backend, worker, pid, exitCode, signal, reason, tasksRun);
    }
  }

  /**
   * Emits {@code dev.unipool.Route} if a recording wants it.
   *
   * @param pool the pool's name
   * @param kind the kind of task
   * @param route where it goes now
   * @param previous where it went before, or null
   * @param reason why
   * @param cpu the measured CPU share, or -1
   */
  public static void route(String pool, String kind, String route, @Nullable String previous,
      @Nullable String reason, double cpu) {
    if (FlightRecorder.isInitialized()) {
      Events.route(pool, kind, route, previous, reason, cpu);
    }
  }
}
