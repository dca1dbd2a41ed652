package dev.unipool.process.internal;

import dev.unipool.remote.Codec;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.jspecify.annotations.Nullable;

/**
 * Entry point of a worker JVM. Reads its token from stdin, connects to the parent's Unix-domain socket,
 * runs the initializer, then reads frames and runs tasks one at a time on two threads that take turns
 * ({@link TaskLoop}). Exits as soon as the parent goes away (socket or stdin closed), so a killed parent leaves
 * no orphans.
 */
public final class WorkerMain {
  private WorkerMain() {}

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
    // The mark file is needed only by the first task. Setting it up (creating and mapping a file: the
    // first use of NIO file mapping, with its class initialisation) runs beside the connection's set-up
    // and the wait for the parent's Init, instead of before Ready; so does Java serialization's one-time
    // set-up, which the first task's decoding would otherwise pay (prestarted pool's first result, 2
    // cores: 10-18 -> 6-9 ms).
    FutureTask<StartedMark> markSetUp = new FutureTask<>(() -> StartedMark.create(
        StartedMark.file(java.nio.file.Path.of(args[0]), ProcessHandle.current().pid())));
    Thread.ofPlatform().daemon().name("unipool-boot").start(() -> {
      markSetUp.run();
      Codec.warmUpJava();
    });
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
    ChannelInput buffered = new ChannelInput(ch);
    DataInputStream in = new DataInputStream(buffered);
    String name = System.getProperty(dev.unipool.Worker.NAME_PROPERTY, "worker");
    out.send(new Frame.Hello(token, name, ProcessHandle.current().pid()), true);
    if (!(Frame.read(in) instanceof Frame.Init init)) {
      halt(0); // refused or parent gone
      return;
    }
    Codec codec = new Codec(init.allowClasses(), "the parent");
    if (!init.shmDir().isEmpty()) {
      java.nio.file.Path shm = java.nio.file.Path.of(init.shmDir());
      codec.allowLargeWire(() -> Region.room(shm)); // results over 2 GB go through the region
    }
    // Results switch to Fory only once the parent can read them at once; the parent, likewise, sends Fory
    // tasks only once this worker has said it reads them, so neither side waits for the other's build.
    codec.switchOnlyWhenPeerReads();
    codec.onForyReaderBuilt(() -> ForyHandshake.tell(out));
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
    StartedMark mark;
    try {
      mark = markSetUp.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e; // as if set up here: the parent sees the worker exit
    }
    Region.In inRegion = null;
    if (!init.shmDir().isEmpty()) { // large payloads through shared memory, both ways
      java.nio.file.Path shm = java.nio.file.Path.of(init.shmDir());
      long pid = ProcessHandle.current().pid();
      out.useRegion(new Region.Out(shm, pid + "-out-"));
      inRegion = new Region.In(shm, pid + "-in-");
    }
    Region.@Nullable In region = inRegion;
    KeptTasks.Receiver kept = new KeptTasks.Receiver();
    TaskLoop.Source source = new TaskLoop.Source() {
      @Override
      public @Nullable Frame read() throws IOException {
        return kept.resolve(Frame.read(in, Frame.MAX_FRAME, region));
      }

      @Override
      public boolean hasBuffered() {
        return Frame.nextIsBuffered(buffered); // DataInputStream buffers nothing of its own
      }
    };
    TaskLoop loop = new TaskLoop(source, out, new TaskLoop.Exit() {
      @Override
      public void stopped() {
        // A normal exit (not halt) on Stop, so a JVM recording an AOT cache writes it. The parent, alive
        // since it sent Stop, kills what this worker's tasks started once it has exited (ProcessTrees).
        System.exit(0);
      }

      @Override
      public void lost(@Nullable IOException cause) {
        if (cause != null) {
          System.err.println("worker lost its parent connection: " + cause);
        }
        halt(0);
      }
    }, codec, mark, new IdleCollection());
    // Two threads take turns reading frames and running tasks (see TaskLoop); this one is the second.
    Thread.ofPlatform().name("unipool-task").start(loop::run);
    Thread.currentThread().setName("unipool-task");
    out.send(new Frame.Ready(), true);
    loop.run();
  }
}
