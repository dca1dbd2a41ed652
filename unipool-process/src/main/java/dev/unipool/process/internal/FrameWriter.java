package dev.unipool.process.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes frames to a channel from many threads, combining them: frames are appended to a buffer under a
 * short lock, and one thread at a time writes everything accumulated so far. Under load, many small
 * frames leave in one system call; when idle, a frame leaves at once.
 */
final class FrameWriter {
  private final WritableByteChannel channel;
  /** Payloads above this leave straight from their array instead of being copied into the buffer. */
  private static final int LARGE = 1 << 18;

  private final ReentrantLock lock = new ReentrantLock();
  private final java.util.concurrent.locks.Condition idle = lock.newCondition();
  private Frame.Buffer pending = new Frame.Buffer();
  private Frame.Buffer spare = new Frame.Buffer();
  private boolean writing;

  FrameWriter(WritableByteChannel channel) {
    this.channel = channel;
  }

  /**
   * Appends a frame and, if {@code flush}, writes all pending frames unless another thread is already doing so.
   *
   * @param frame the frame
   * @param flush whether to write now
   * @throws IOException if the channel fails
   */
  void send(Frame frame, boolean flush) throws IOException {
    byte[] payload = Frame.payload(frame);
    if (payload != null && payload.length > LARGE) {
      sendLarge(frame, payload);
      return;
    }
    lock.lock();
    try {
      Frame.write(frame, pending);
      if (!flush || writing) {
        return;
      }
      writing = true;
    } finally {
      lock.unlock();
    }
    drain();
  }

  /**
   * Writes all pending frames unless another thread is already doing so.
   *
   * @throws IOException if the channel fails
   */
  void flush() throws IOException {
    lock.lock();
    try {
      if (writing || pending.size() == 0) {
        return;
      }
      writing = true;
    } finally {
      lock.unlock();
    }
    drain();
  }

  /** Bytes appended but not yet written. */
  int pendingBytes() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  /** Writes the pending frames, then this frame's header, then its payload from the caller's array. */
  private void sendLarge(Frame frame, byte[] payload) throws IOException {
    Frame.Buffer batch;
    lock.lock();
    try {
      while (writing) {
        idle.awaitUninterruptibly();
      }
      writing = true;
      Frame.write(frame, pending, true);
      batch = pending;
      pending = spare;
      spare = batch;
    } finally {
      lock.unlock();
    }
    boolean ok = false;
    try {
      writeFully(ByteBuffer.wrap(batch.bytes().array(), 0, batch.size()));
      writeFully(ByteBuffer.wrap(payload));
      batch.clear();
      ok = true;
    } finally {
      if (!ok) {
        release();
      }
    }
    drain();
  }

  /** A socket takes a few hundred KB per write; larger slices would only be copied and copied again. */
  private static final int SLICE = 1 << 18;

  private void writeFully(ByteBuffer bb) throws IOException {
    // NIO copies the *whole* remaining heap buffer into a temporary direct buffer on every write call,
    // so writing 100 MB in one buffer costs quadratic copying; slices keep each copy small.
    while (bb.hasRemaining()) {
      int n = Math.min(SLICE, bb.remaining());
      ByteBuffer slice = bb.slice(bb.position(), n);
      while (slice.hasRemaining()) {
        channel.write(slice);
      }
      bb.position(bb.position() + n);
    }
  }

  private void release() {
    lock.lock();
    try {
      writing = false;
      idle.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void drain() throws IOException {
    boolean ok = false;
    try {
      while (true) {
        Frame.Buffer batch;
        lock.lock();
        try {
          if (pending.size() == 0) {
            writing = false;
            idle.signalAll();
            ok = true;
            return;
          }
          batch = pending;
          pending = spare;
          spare = batch;
        } finally {
          lock.unlock();
        }
        writeFully(ByteBuffer.wrap(batch.bytes().array(), 0, batch.size()));
        batch.clear(); // only this thread touches the spare buffer until the next swap
      }
    } finally {
      if (!ok) {
        release();
      }
    }
  }
}
