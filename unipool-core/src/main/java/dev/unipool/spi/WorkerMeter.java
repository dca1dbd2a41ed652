package dev.unipool.spi;

import dev.unipool.WorkerStats;
import dev.unipool.internal.jfr.Jfr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The counters of one worker of a backend whose workers live outside this JVM's threads (worker processes,
 * cluster members), for {@link dev.unipool.Pool#stats()}, and the source of the {@code dev.unipool.WorkerStart}
 * and {@code dev.unipool.WorkerExit} flight-recorder events. One meter per worker slot (or member address),
 * kept across the workers that replace each other in it.
 *
 * <p>A backend tells the meter what happens: {@link #launched}, {@link #ready()}, {@link #taskSent} and
 * {@link #taskDone} (or {@link #taskLost()}), {@link #stopping()}, {@link #exited}; and what serialization
 * cost ({@code taskSent}'s encoding time, {@link #decoded}). A worker is <em>busy</em> while it holds at least one task
 * (from sending the first until the last result arrives) and <em>idle</em> while it is ready and holds none.
 *
 * <p>Thread-safe: every method may be called from any thread; each is a short critical section on the meter.
 */
public final class WorkerMeter {
  private final AbstractPool pool;
  private String name;
  private String host = "localhost";
  private long pid = -1;
  private boolean readsRss;
  private long rssBytes = -1;
  private WorkerStats.State state = WorkerStats.State.STARTING;
  private int generations;
  private long readyAt; // 0 when not up
  private long upNanos; // closed up periods of earlier workers
  private int held;
  private long heldSince; // when held went from 0 to 1
  private long busyNanos; // closed busy periods
  private long tasks;
  private long encodeNanos;
  private long decodeNanos;

  /**
   * A meter for one worker of {@code pool}.
   *
   * @param pool the pool the worker belongs to (for the events' pool name and backend)
   * @param name the worker's name, e.g. {@code worker-2} or a member's address
   */
  public WorkerMeter(AbstractPool pool, String name) {
    this.pool = pool;
    this.name = name;
  }

  /**
   * A new worker was launched in this slot: the slot is {@link WorkerStats.State#STARTING} until
   * {@link #ready()}. Every launch after the first counts as a restart.
   *
   * @param pid its process id, or -1
   * @param host where it runs
   * @param readRss whether {@link #snapshot()} reads the resident memory of {@code pid} (a local process)
   */
  public synchronized void launched(long pid, String host, boolean readRss) {
    this.pid = pid;
    this.host = host;
    this.readsRss = readRss;
    this.rssBytes = -1;
    generations++;
    readyAt = 0;
    held = 0;
    state = WorkerStats.State.STARTING;
  }

  /**
   * Who the worker turned out to be, for workers that say so only once they answer (cluster members).
   *
   * @param name its name
   * @param pid its process id, or -1
   * @param host where it runs
   */
  public synchronized void identify(String name, long pid, String host) {
    this.name = name;
    this.pid = pid;
    this.host = host;
  }

  /** The launched worker is ready for tasks; emits {@code dev.unipool.WorkerStart}. */
  public void ready() {
    int restarts;
    String who;
    long p;
    String where;
    synchronized (this) {
      if (state != WorkerStats.State.STARTING) {
        return;
      }
      who = name;
      p = pid;
      where = host;
      readyAt = System.nanoTime();
      restarts = Math.max(0, generations - 1);
      state = held > 0 ? WorkerStats.State.BUSY : WorkerStats.State.IDLE;
    }
    Jfr.workerStart(pool.options().name(), pool.backend().toString(), who, p, where, restarts);
  }

  /**
   * A task was sent to the worker.
   *
   * @param encodingNanos the time this JVM spent encoding it, if not yet counted for any worker, else 0
   */
  public synchronized void taskSent(long encodingNanos) {
    if (held++ == 0) {
      heldSince = System.nanoTime();
      if (state == WorkerStats.State.IDLE) {
        state = WorkerStats.State.BUSY;
      }
    }
    encodeNanos += Math.max(0, encodingNanos);
  }

  /**
   * The worker answered for a task it held.
   *
   * @param ran true if it ran the task (with whatever outcome), false if it skipped it (cancelled in time)
   */
  public synchronized void taskDone(boolean ran) {
    if (ran) {
      tasks++;
    }
    release(1);
  }

  /** A task the worker held will not be answered for (the worker died; the task fails or is sent again). */
  public synchronized void taskLost() {
    release(1);
  }

  private void release(int n) {
    if (held <= 0) {
      return;
    }
    held = Math.max(0, held - n);
    if (held == 0) {
      busyNanos += System.nanoTime() - heldSince;
      if (state == WorkerStats.State.BUSY) {
        state = WorkerStats.State.IDLE;
      }
    }
  }

  /**
   * Time spent decoding one of this worker's results.
   *
   * @param nanos the time
   */
  public synchronized void decoded(long nanos) {
    decodeNanos += Math.max(0, nanos);
  }

  /**
   * The worker's resident memory as it reported it (for workers whose memory this JVM cannot read).
   *
   * @param bytes the size, or -1 if unknown
   */
  public synchronized void rss(long bytes) {
    rssBytes = bytes;
  }

  /**
   * The worker was asked to stop (shutdown, recycling). A local process's memory is read one last time, so
   * statistics read after it has gone still show it.
   */
  public void stopping() {
    long p;
    synchronized (this) {
      if (state == WorkerStats.State.STOPPED) {
        return;
      }
      state = WorkerStats.State.STOPPING;
      if (!readsRss) {
        return;
      }
      p = pid;
    }
    long rss = residentBytes(p);
    if (rss > 0) {
      synchronized (this) {
        rssBytes = rss;
      }
    }
  }

  /**
   * The worker is gone: closes its busy and up time, drops what it held and emits
   * {@code dev.unipool.WorkerExit}. The slot stays {@link WorkerStats.State#STOPPED} until the next
   * {@link #launched}.
   *
   * @param exitCode its exit code, or null if unknown or killed by a signal
   * @param signal the signal that ended it, or null
   * @param reason why it ended, in a few words
   */
  public void exited(@Nullable Integer exitCode, @Nullable Integer signal, String reason) {
    long tasksRun;
    String who;
    long p;
    synchronized (this) {
      if (state == WorkerStats.State.STOPPED) {
        return;
      }
      who = name;
      p = pid;
      release(held);
      long now = System.nanoTime();
      if (readyAt != 0) {
        upNanos += now - readyAt;
      }
      readyAt = 0;
      state = WorkerStats.State.STOPPED;
      tasksRun = tasks;
    }
    Jfr.workerExit(pool.options().name(), pool.backend().toString(), who, p, exitCode == null ? -1 : exitCode,
        signal == null ? 0 : signal, reason, tasksRun);
  }

  /**
   * The worker's statistics now.
   *
   * @return a snapshot
   */
  public WorkerStats snapshot() {
    long p;
    boolean readRss;
    long rss;
    WorkerStats.State s;
    long now = System.nanoTime();
    long busy;
    long up;
    WorkerStats result;
    synchronized (this) {
      p = pid;
      readRss = readsRss && state != WorkerStats.State.STOPPED;
      rss = rssBytes;
      s = state;
      busy = busyNanos + (held > 0 ? now - heldSince : 0);
      up = upNanos + (readyAt != 0 ? now - readyAt : 0);
      result = new WorkerStats(name, p, host, s, tasks, held, Duration.ofNanos(busy),
          Duration.ofNanos(Math.max(0, up - busy)), Duration.ofNanos(encodeNanos), Duration.ofNanos(decodeNanos),
          Math.max(0, generations - 1), rss);
    }
    if (!readRss) {
      return result;
    }
    long read = residentBytes(p);
    if (read > 0) {
      synchronized (this) {
        if (pid == p) {
          rssBytes = read; // the last value seen stays once the process has gone
        }
      }
    } else {
      read = rss;
    }
    return new WorkerStats(result.name(), result.pid(), result.host(), result.state(), result.tasksRun(),
        result.inFlight(), result.busy(), result.idle(), result.encoding(), result.decoding(), result.restarts(),
        read);
  }

  /**
   * The resident set size of a local process, read from {@code /proc} (Linux).
   *
   * @param pid the process
   * @return its resident memory in bytes, or -1 if unknown (not Linux, process gone)
   */
  public static long residentBytes(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) { // "VmRSS:     12345 kB"
          String digits = line.substring(6).strip();
          int end = 0;
          while (end < digits.length() && Character.isDigit(digits.charAt(end))) {
            end++;
          }
          return Long.parseLong(digits.substring(0, end)) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone
    }
    return -1;
  }

  @Override
  public synchronized String toString() {
    return "WorkerMeter[" + name + ", " + state + ", held " + held + ", tasks " + tasks + "]";
  }
}
