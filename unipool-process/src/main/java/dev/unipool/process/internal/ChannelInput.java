package dev.unipool.process.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.jspecify.annotations.Nullable;

/**
 * A buffered stream over a socket channel that reads through one reusable direct buffer. The JDK's
 * {@code Channels.newInputStream} hands the caller's heap array to NIO, which then stages every read in a
 * temporary direct buffer as large as the request: for a 100 MB payload that is a 100 MB buffer per
 * frame. Here each read copies at most the buffer's size, once. A non-blocking channel is waited on with
 * a selector, so the stream still blocks for its reader.
 */
final class ChannelInput extends InputStream {
  private final ReadableByteChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 17).flip();

  private final @Nullable Selector selector;

  ChannelInput(ReadableByteChannel channel) throws IOException {
    this.channel = channel;
    if (channel instanceof SelectableChannel sc && !sc.isBlocking()) {
      this.selector = Selector.open();
      sc.register(selector, SelectionKey.OP_READ);
    } else {
      this.selector = null;
    }
  }

  /** Reads more from the channel, waiting for data; false at end of stream. */
  private boolean fill() throws IOException {
    buffer.clear();
    int n;
    while ((n = channel.read(buffer)) == 0) {
      Selector s = selector;
      if (s != null) {
        try {
          s.select();
        } catch (java.nio.channels.ClosedSelectorException e) {
          throw new java.nio.channels.ClosedChannelException();
        }
        s.selectedKeys().clear();
      }
    }
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

  /**
   * The byte {@code offset} bytes past the read position, without consuming anything.
   *
   * @param offset less than {@link #available()}
   * @return the byte, unsigned
   */
  int peek(int offset) {
    return buffer.get(buffer.position() + offset) & 0xff;
  }

  /**
   * The big-endian int {@code offset} bytes past the read position, without consuming anything.
   *
   * @param offset at most {@link #available()} - 4
   * @return the int
   */
  int peekInt(int offset) {
    return buffer.getInt(buffer.position() + offset);
  }

  @Override
  public void close() throws IOException {
    channel.close();
    Selector s = selector;
    if (s != null) {
      s.wakeup(); // a reader blocked in select() must see the close
      s.close();
    }
  }
}
