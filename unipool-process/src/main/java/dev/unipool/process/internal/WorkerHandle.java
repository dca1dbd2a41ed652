package dev.unipool.process.internal;

import dev.unipool.Backend;
import dev.unipool.WorkerInfo;
import dev.unipool.remote.Codec;
import dev.unipool.remote.RemoteTask;
import dev.unipool.remote.RemoteWorker;
import dev.unipool.spi.WorkerMeter;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The parent's side of one worker process: the process, its output pumps and, once it proved itself,
 * its socket. Mutable fields are guarded by the pool's lock, except the connection fields (volatile), which
 * the reader and exit threads read.
 */
final class WorkerHandle extends RemoteWorker {
  final int slot;
  final String name;
  /** Proves the connection is this worker's; compared in constant time, never logged. */
  final String token;
  /** In the environment of the worker and of every process its tasks start (see {@link ProcessTrees}). */
  final String marker;
  final Process process;
  final @Nullable OutputPump stderr;
  final @Nullable OutputPump stdout;
  volatile @Nullable SocketChannel channel;
  volatile @Nullable FrameWriter out;
  volatile @Nullable Thread reader;
  boolean ready;
  /** Started with the startup cache's flags: its death before ready may be the JDK refusing the cache. */
  boolean fromCache;
  boolean retiring;
  boolean stopSent;
  boolean expectedExit;
  int completed;
  double avgRunNanos = -1;
  /** The worker said its Fory reader is built ({@link Frame.ForyReady}). Guarded by the pool's lock. */
  boolean readsFory;
  /** The Init frame has gone out, so other frames may follow it. Guarded by the pool's lock. */
  boolean initSent;
  /** Which tasks this worker keeps already. Guarded by the pool's lock. */
  private final KeptTasks.Sender kept;

  WorkerHandle(int slot, String name, String token, String marker, Process process, WorkerMeter meter,
      Backend.Processes.Output mode, ToIntFunction<Codec.Encoded> sharedKey) {
    super(meter);
    this.kept = new KeptTasks.Sender(sharedKey);
    this.slot = slot;
    this.name = name;
    this.token = token;
    this.marker = marker;
    this.process = process;
    this.info = new WorkerInfo(process.pid(), name, "unipool-task", "localhost");
    String prefix = "[" + name + "] ";
    ArrayDeque<String> tail = new ArrayDeque<>();
    this.stdout = mode == Backend.Processes.Output.PREFIX
        ? new OutputPump(process.getInputStream(), OutputPump.STDOUT, prefix, "unipool-" + name + "-stdout", tail)
        : null;
    this.stderr = mode == Backend.Processes.Output.INHERIT
        ? null
        : new OutputPump(process.getErrorStream(), mode == Backend.Processes.Output.PREFIX ? OutputPump.STDERR : null,
            prefix, "unipool-" + name + "-stderr", tail);
  }

  FrameWriter out() {
    FrameWriter o = out;
    if (o == null) {
      throw new IllegalStateException(name + " is not connected");
    }
    return o;
  }

  @Override
  protected boolean acceptsLocked() {
    return ready && !retiring && !stopSent;
  }

  /**
   * Tasks to keep in flight: about 200 µs of work, so that the socket stays busy with tiny tasks, and one
   * for long ones (fairness). At most {@link #MAX_WINDOW}.
   */
  @Override
  protected int windowLocked() {
    if (avgRunNanos < 0) {
      return 1; // nothing measured yet: a first task may be long, so don't queue a second behind it
    }
    if (avgRunNanos > 5_000_000) {
      return 1;
    }
    return (int) Math.max(2, Math.min(MAX_WINDOW, 1 + 200_000 / Math.max(1.0, avgRunNanos)));
  }

  /**
   * The most tasks in flight to one worker. It was 64 while every submit to a busy worker flushed at once,
   * when deeper windows made one write per task whenever the submitting thread was no faster than the
   * workers (at 512: 90-104 k/s against 487-516 k/s at 64, 100k trivial tasks at once). Since a submit to a
   * busy worker leaves the flush to its next answer ({@link ProcessPool#flushesLaterAbove}), deeper is
   * faster: medians of two alternating rounds, 487-516 k/s at 64, 785-788 k/s at 256, 768-960 k/s at 512
   * and 837-947 k/s at 1024.
   */
  static final int MAX_WINDOW = 512;

  /** Learns the task length from a finished task, and retires the worker once it ran its share. */
  void ranLocked(long runNanos, int recycleAfter) {
    completed++;
    avgRunNanos = avgRunNanos < 0 ? runNanos : 0.8 * avgRunNanos + 0.2 * runNanos;
    if (recycleAfter > 0 && completed >= recycleAfter) {
      retiring = true;
    }
  }

  @Override
  protected void queueLocked(RemoteTask task, boolean reportStart) {
    try {
      out().send(kept.runFrame(task.id(), reportStart, task.payload()), false);
      if (task.run().isDone()) {
        // Cancelled between start() and now: cancel() may have missed it, so tell the worker here.
        out().send(new Frame.Cancel(task.id()), false);
      }
    } catch (IOException e) {
      // the worker is dying; its exit re-queues this task
    }
  }

  @Override
  protected void flush() {
    FrameWriter o = out;
    try {
      if (o != null) {
        o.flush();
      }
    } catch (IOException e) {
      // dying worker: handled on exit
    }
  }

  /** A Cancel frame: the worker skips the task if it has not begun, else interrupts it. */
  @Override
  protected void cancel(long id, boolean interrupt) {
    try {
      out().send(new Frame.Cancel(id), true);
    } catch (IOException | IllegalStateException e) {
      // dying worker: handled on exit
    }
  }

  @Override
  protected void kill() {
    ProcessTrees.killTree(process.toHandle());
  }

  @Override
  protected String label() {
    return name;
  }
}
