package dev.unipool.process.internal;

import dev.unipool.remote.Codec;
import dev.unipool.remote.Reply;
import dev.unipool.remote.TaskRunner;
import dev.unipool.spi.RunningTask;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;

/**
 * Entry point of a worker JVM. Reads its token from stdin, connects to the parent's Unix-domain socket,
 * runs the initializer, then runs tasks one at a time on a single task thread while the main thread
 * reads frames. Exits as soon as the parent goes away (socket or stdin closed), so a killed parent leaves
 * no orphans.
 */
public final class WorkerMain {
  private static final Frame.Run STOP = new Frame.Run(-1, false, new Codec.Encoded((byte) 0, new byte[0]));

  private final Object lock = new Object();
  private final LinkedBlockingQueue<Frame.Run> queue = new LinkedBlockingQueue<>();
  private final Set<Long> cancelled = new HashSet<>(); // guarded by lock
  private long running = -1; // guarded by lock
  private @Nullable RunningTask current; // guarded by lock
  private final FrameWriter out;
  private final Codec codec;
  private final StartedMark mark;

  private WorkerMain(FrameWriter out, Codec codec, StartedMark mark) {
    this.out = out;
    this.codec = codec;
    this.mark = mark;
  }

  /**
   * Ends the worker at once, taking along the processes its tasks started: they must not outlive it.
   * (When the worker is killed instead, the parent finds them; see {@link ProcessTrees}.)
   */
  private static void halt(int code) {
    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    Runtime.getRuntime().halt(code);
  }

  /**
   * Runs the worker.
   *
   * @param args the path of the parent's socket
   * @throws Exception if the connection cannot be set up (the parent then sees the worker exit)
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: WorkerMain <socket-path> (the token is read from stdin)");
      System.exit(2);
    }
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String token = stdin.readLine();
    if (token == null) {
      System.exit(0); // parent already gone
    }
    Thread.ofPlatform().daemon().name("unipool-parent-watch").start(() -> {
      try {
        while (stdin.readLine() != null) {
          // the parent never writes more; EOF means it is gone
        }
      } catch (IOException e) {
        // treat like EOF
      }
      halt(0);
    });
    SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(args[0]));
    FrameWriter.markOwned();
    FrameWriter out = new FrameWriter(ch, "parent");
    DataInputStream in = new DataInputStream(new ChannelInput(ch));
    String name = System.getProperty(dev.unipool.Worker.NAME_PROPERTY, "worker");
    out.send(new Frame.Hello(token, name, ProcessHandle.current().pid()), true);
    if (!(Frame.read(in) instanceof Frame.Init init)) {
      halt(0); // refused or parent gone
      return;
    }
    Codec codec = new Codec(init.allowClasses(), "the parent");
    byte[] initializer = init.initializer();
    if (initializer != null) {
      try {
        ((Runnable) codec.decodeTask(Codec.Encoded.split(initializer))).run();
      } catch (Throwable t) {
        out.send(new Frame.InitFailed(codec.encodeThrowable(t).joined()), true);
        System.err.println("worker initializer failed: " + t);
        halt(3);
      }
    }
    if (init.prepareFory()) {
      // The pool sends Fory already: build it now, while this worker counts as starting, rather than
      // inside its first task (whose decoding would take long enough to be caught by a kill or timeout).
      codec.prepareFory();
    }
    Region.In region = null;
    if (!init.shmDir().isEmpty()) { // large payloads through shared memory, both ways
      java.nio.file.Path shm = java.nio.file.Path.of(init.shmDir());
      long pid = ProcessHandle.current().pid();
      out.useRegion(new Region.Out(shm, pid + "-out-"));
      region = new Region.In(shm, pid + "-in-");
    }
    StartedMark mark = StartedMark.create(
        StartedMark.file(java.nio.file.Path.of(args[0]), ProcessHandle.current().pid()));
    WorkerMain worker = new WorkerMain(out, codec, mark);
    Thread.ofPlatform().name("unipool-task").start(worker::runTasks);
    out.send(new Frame.Ready(), true);
    worker.readFrames(in, region);
  }

  private void readFrames(DataInputStream in, Region.@Nullable In region) {
    try {
      Frame f;
      while ((f = Frame.read(in, Frame.MAX_FRAME, region)) != null) {
        switch (f) {
          case Frame.Run r -> queue.add(r);
          case Frame.Cancel c -> cancel(c.id());
          case Frame.Stop s -> queue.add(STOP);
          default -> throw new IOException("unexpected frame " + f);
        }
      }
    } catch (IOException e) {
      System.err.println("worker lost its parent connection: " + e);
    }
    halt(0);
  }

  private static final long FLUSH_DELAY_NANOS = 200_000;
  private static final int LARGE_RESULT = 1 << 16;
  private final java.util.concurrent.atomic.AtomicBoolean flushScheduled = new java.util.concurrent.atomic.AtomicBoolean();
  private final java.util.concurrent.ScheduledExecutorService flusher =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("unipool-flush").factory());

  @SuppressWarnings("FutureReturnValueIgnored") // the flag, not the future, tracks the pending flush
  private void scheduleFlush() {
    if (flushScheduled.compareAndSet(false, true)) {
      flusher.schedule(() -> {
        flushScheduled.set(false);
        try {
          out.flush();
        } catch (IOException e) {
          halt(0); // parent gone
        }
      }, FLUSH_DELAY_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  private void cancel(long id) {
    boolean queued;
    synchronized (lock) {
      RunningTask r = current;
      if (running == id && r != null) {
        r.interrupt();
        return;
      }
      // Still queued here: drop it now and say so, so the parent does not wait for the tasks ahead of it.
      queued = queue.removeIf(f -> f.id() == id);
      if (!queued && cancelled.size() < 10_000) {
        cancelled.add(id); // not arrived yet, or already done (then harmless; the set is bounded)
      }
    }
    if (queued) {
      try {
        out.send(new Frame.Skipped(id), true);
      } catch (IOException e) {
        halt(0); // parent gone
      }
    }
  }

  @SuppressWarnings("ReferenceEquality") // STOP is a sentinel instance: identity is the point
  private void runTasks() {
    FrameWriter.markOwned();
    try {
      while (true) {
        Frame.Run r = queue.take();
        if (r == STOP) {
          break;
        }
        RunningTask me = null;
        synchronized (lock) {
          if (!cancelled.remove(r.id())) {
            me = new RunningTask();
            current = me;
            running = r.id();
          }
        }
        if (me == null) { // sent outside the lock: the reader must never wait for a blocked write
          out.send(new Frame.Skipped(r.id()), queue.isEmpty());
          if (!queue.isEmpty()) {
            scheduleFlush();
          }
          continue;
        }
        Reply reply;
        try {
          reply = TaskRunner.run(codec, r.task(), new TaskRunner.Steps() {
            @Override
            public void decoding() {
              mark.decoding(r.id());
            }

            @Override
            public boolean decoded() throws IOException {
              mark.running(r.id());
              if (!r.reportStart()) {
                return false;
              }
              // Its timeout counts from here, not from when it was sent: decoding the first task of a
              // fresh worker (class loading, a cold codec) can take longer than a short timeout.
              out.send(new Frame.Started(r.id()), true);
              return true;
            }
          });
        } finally {
          me.finish();
          synchronized (lock) {
            running = -1;
            current = null;
          }
        }
        // With nothing queued behind it, a result leaves at once. With more tasks queued (a burst of small
        // ones), results are combined and flushed within FLUSH_DELAY_NANOS, so a slow next task still
        // cannot hold them back for long.
        // A large result also leaves at once: it is sent from the task's own array, which the next task
        // might modify if it were still waiting in the writer.
        boolean now = queue.isEmpty() || reply.payload().body().length > LARGE_RESULT;
        out.send(new Frame.Done(r.id(), reply.status() == Reply.Status.OK, reply.runNanos(), reply.payload()), now);
        if (!now) {
          scheduleFlush();
        }
      }
      out.flush();
      // A normal exit (not halt) on Stop, so a JVM recording an AOT cache writes it. The parent, alive
      // since it sent Stop, kills what this worker's tasks started once it has exited (ProcessTrees).
      System.exit(0);
    } catch (InterruptedException | IOException e) {
      // parent gone
    }
    halt(0);
  }
}
