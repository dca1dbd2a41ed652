package dev.unipool.cli.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The floor for worker processes: a raw Unix-domain-socket ping-pong with a child JVM ({@link EchoMain})
 * started from the same {@code java} and class path, with small fixed-size messages and no framing,
 * encoding or dispatch.
 */
final class Floor implements AutoCloseable {
  static final int MESSAGE_BYTES = 16;

  private final Process child;
  private final ServerSocketChannel server;
  private final SocketChannel channel;
  private final Path socket;
  private final ByteBuffer buf = ByteBuffer.allocateDirect(MESSAGE_BYTES);

  private Floor(Process child, ServerSocketChannel server, SocketChannel channel, Path socket) {
    this.child = child;
    this.server = server;
    this.channel = channel;
    this.socket = socket;
  }

  /**
   * A command line for a JVM like the workers: this JVM's {@code java} with the small-JVM flags the worker
   * processes get, so that a floor and the pool it is read beside start alike.
   *
   * @param args what follows the flags: class path, main class or option, arguments
   */
  static List<String> smallJvm(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:-UsePerfData"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  static Floor start(Path dir) throws IOException, InterruptedException {
    Path socket = dir.resolve("echo.sock");
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    List<String> cmd = smallJvm("-cp", System.getProperty("java.class.path"),
        EchoMain.class.getName(), socket.toString(), Integer.toString(MESSAGE_BYTES));
    Process child = new ProcessBuilder(cmd)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try {
        accepted.complete(server.accept());
      } catch (IOException | RuntimeException e) {
        accepted.completeExceptionally(e);
      }
    });
    try {
      return new Floor(child, server, accepted.get(30, TimeUnit.SECONDS), socket);
    } catch (ExecutionException | TimeoutException e) {
      child.destroyForcibly();
      server.close();
      throw new IOException("the echo process did not connect (exit " + (child.isAlive() ? "none" : child.exitValue())
          + ")", e);
    }
  }

  /**
   * The echo JVM's resident set in MB: a JVM with the workers' class path and collector that has done
   * nothing but echo bytes, the floor under an idle worker's memory.
   *
   * @throws IOException if {@code /proc} cannot say
   */
  double rssMegabytes() throws IOException {
    return JavaSuite.rssMegabytes(child.pid());
  }

  /** Sends {@code pings} messages one after another and returns the median round trip in microseconds. */
  double medianMicros(int pings) throws IOException {
    long[] nanos = new long[pings];
    for (int i = 0; i < pings; i++) {
      long t0 = System.nanoTime();
      buf.clear();
      buf.putLong(0, i);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      buf.clear();
      while (buf.hasRemaining()) {
        if (channel.read(buf) < 0) {
          throw new IOException("the echo process closed the socket");
        }
      }
      nanos[i] = System.nanoTime() - t0;
      if (buf.getLong(0) != i) {
        throw new IOException("the echo process answered out of order");
      }
    }
    return Figure.median(nanos) / 1e3;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      channel.close();
      server.close();
      if (!child.waitFor(5, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    } finally {
      Files.deleteIfExists(socket);
    }
  }
}
