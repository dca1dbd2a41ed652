package dev.unipool.process.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A buffered stream over a socket channel that reads through one reusable direct buffer. The JDK's
 * {@code Channels.newInputStream} hands the caller's heap array to NIO, which then stages every read in a
 * temporary direct buffer as large as the request: for a 100 MB payload that is a 100 MB buffer per
 * frame. Here each read copies at most the buffer's size, once.
 */
final class ChannelInput extends InputStream {
  private final ReadableByteChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 17).flip();

  ChannelInput(ReadableByteChannel channel) {
    this.channel = channel;
  }

  /** Reads more from the channel; false at end of stream. */
  private boolean fill() throws IOException {
    buffer.clear();
    int n;
    do {
      n = channel.read(buffer);
    } while (n == 0);
    buffer.flip();
    return n > 0;
  }

  @Override
  public int read() throws IOException {
    if (!buffer.hasRemaining() && !fill()) {
      return -1;
    }
    return buffer.get() & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!buffer.hasRemaining() && !fill()) {
      return -1;
    }
    int n = Math.min(len, buffer.remaining());
    buffer.get(b, off, n);
    return n;
  }

  /** Bytes already buffered: a reader may act on what it has before blocking for more. */
  @Override
  public int available() {
    return buffer.remaining();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
