package dev.unipool.internal.jfr;

import org.jspecify.annotations.Nullable;

/** The code that touches the event classes; loaded only once Flight Recorder is up (see {@link Jfr}). */
final class Events {
  private Events() {}

  static @Nullable Object beginTask() {
    TaskEvent e = new TaskEvent();
    if (!e.isEnabled()) {
      return null;
    }
    e.begin();
    return e;
  }

  static void transferred(Object event, long sent, long received) {
    TaskEvent e = (TaskEvent) event;
    e.bytesSent = sent;
    e.bytesReceived = received;
  }

  static void commitTask(Object event, String pool, String backend, String task, @Nullable String worker,
      long workerPid, long queuedNanos, long runNanos, String outcome, @Nullable String exception) {
    TaskEvent e = (TaskEvent) event;
    e.pool = pool;
    e.backend = backend;
    e.task = task;
    e.worker = worker;
    e.workerPid = workerPid;
    e.queued = queuedNanos;
    e.run = runNanos;
    e.outcome = outcome;
    e.exception = exception;
    e.commit();
  }

  static void workerStart(String pool, String backend, String worker, long pid, String host, int restarts) {
    WorkerStartEvent e = new WorkerStartEvent();
    if (e.isEnabled()) {
      e.pool = pool;
      e.backend = backend;
      e.worker = worker;
      e.pid = pid;
      e.host = host;
      e.restarts = restarts;
      e.begin(); // JFR has no public way to date the event back to the launch
      e.commit();
    }
  }

  static void workerExit(String pool, String backend, String worker, long pid, int exitCode, int signal,
      String reason, long tasksRun) {
    WorkerExitEvent e = new WorkerExitEvent();
    if (e.isEnabled()) {
      e.pool = pool;
      e.backend = backend;
      e.worker = worker;
      e.pid = pid;
      e.exitCode = exitCode;
      e.signal = signal;
      e.reason = reason;
      e.tasksRun = tasksRun;
      e.commit();
    }
  }

  static void route(String pool, String kind, String route, @Nullable String previous, @Nullable String reason,
      double cpu) {
    RouteEvent e = new RouteEvent();
    if (e.isEnabled()) {
      e.pool = pool;
      e.kind = kind;
      e.route = route;
      e.previous = previous;
      e.reason = reason;
      e.cpu = cpu;
      e.commit();
    }
  }
}
