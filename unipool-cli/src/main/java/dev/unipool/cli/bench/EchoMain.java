package dev.unipool.cli.bench;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The child side of the bench's floor measurement: connects to a Unix-domain socket and echoes
 * fixed-size messages until the parent closes it. Nothing else happens here, so a round trip through
 * it is the least any two-JVM protocol can cost on this machine.
 */
public final class EchoMain {
  private EchoMain() {}

  /**
   * Echoes messages.
   *
   * @param args the socket path and the message size in bytes
   * @throws IOException if the socket fails
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: EchoMain <socket-path> <message-bytes>");
      System.exit(2);
    }
    ByteBuffer buf = ByteBuffer.allocateDirect(Integer.parseInt(args[1]));
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
      while (true) {
        buf.clear();
        while (buf.hasRemaining()) {
          if (ch.read(buf) < 0) {
            return;
          }
        }
        buf.flip();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    }
  }
}
