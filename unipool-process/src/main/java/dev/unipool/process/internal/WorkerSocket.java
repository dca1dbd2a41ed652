package dev.unipool.process.internal;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool's end of the worker channel: a Unix-domain socket in a fresh private (0700) directory, and the
 * handshake by which a worker proves, with the token it read from stdin, that it is the one launched.
 *
 * <p>Threading: {@link #expect} and {@link #forget} may be called from any thread; connections are
 * accepted on a daemon thread and proven on a virtual thread each.
 */
final class WorkerSocket implements Closeable {
  private static final long AUTH_TIMEOUT_MILLIS = 10_000;

  /** What the pool does with a proven connection; frames are read from {@code in}, past the Hello. */
  interface Connected {
    void connected(WorkerHandle h, SocketChannel ch, ChannelInput in) throws IOException;
  }

  final Path dir;
  private final ServerSocketChannel server;
  private final Map<String, WorkerHandle> connecting = new ConcurrentHashMap<>();
  /** Connections accepted and not yet proven: capped, since each holds descriptors until its timeout. */
  private final AtomicInteger handshaking = new AtomicInteger();
  private final int maxHandshakes;
  private final ScheduledExecutorService timer;
  private final Connected connected;

  WorkerSocket(int workers, ScheduledExecutorService timer, Connected connected) throws IOException {
    this.dir = Files.createTempDirectory("unipool-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path()));
    this.maxHandshakes = 2 * workers + 4;
    this.timer = timer;
    this.connected = connected;
  }

  /** The socket's path, which workers get on their command line. */
  Path path() {
    return dir.resolve("pool.sock");
  }

  /** Starts accepting connections. */
  void start(String threadName) {
    Thread.ofPlatform().daemon().name(threadName).start(this::acceptLoop);
  }

  /** Admits one connection that proves it is {@code h}. */
  void expect(WorkerHandle h) {
    connecting.put(h.name, h);
  }

  /** Admits no connection for {@code h} any more (it exited). */
  void forget(WorkerHandle h) {
    connecting.remove(h.name, h);
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      // Only this user can reach the socket (0700 directory), but a stuck or hostile local process must
      // still not pile up connections: each holds descriptors until it proves itself or times out.
      if (handshaking.incrementAndGet() > maxHandshakes) {
        handshaking.decrementAndGet();
        closeQuietly(ch);
        continue;
      }
      Thread.ofVirtual().name("unipool-handshake").start(() -> {
        try {
          handshake(ch);
        } finally {
          handshaking.decrementAndGet();
        }
      });
    }
  }

  private void handshake(SocketChannel ch) {
    FrameWriter.markOwned();
    try {
      // Non-blocking: writes from application threads are then never interruptible, so an interrupt
      // cannot close the channel; reads wait on a selector (ChannelInput).
      ch.configureBlocking(false);
      ChannelInput input = new ChannelInput(ch);
      var deadline = timer.schedule(() -> closeQuietly(input), AUTH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      DataInputStream in = new DataInputStream(input);
      Frame first = Frame.read(in, 4096); // a Hello is small: refuse anything else before allocating
      if (!(first instanceof Frame.Hello hello)) {
        closeQuietly(ch);
        return;
      }
      WorkerHandle h = connecting.get(hello.worker());
      if (h == null || !MessageDigest.isEqual(
          h.token.getBytes(StandardCharsets.US_ASCII), hello.token().getBytes(StandardCharsets.US_ASCII))
          || hello.pid() != h.process.pid()) {
        closeQuietly(ch); // wrong token: not one of ours
        return;
      }
      connecting.remove(hello.worker(), h);
      deadline.cancel(false);
      connected.connected(h, ch, input);
    } catch (IOException e) {
      closeQuietly(ch);
    }
  }

  /** Stops accepting and removes the socket and its directory. */
  @Override
  public void close() {
    closeQuietly(server);
    try {
      Files.deleteIfExists(path());
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a leftover empty private directory in tmp is harmless
    }
  }

  static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
