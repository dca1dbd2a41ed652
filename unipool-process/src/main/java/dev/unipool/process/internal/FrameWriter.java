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
  private final ReentrantLock lock = new ReentrantLock();
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

  private void drain() throws IOException {
    boolean ok = false;
    try {
      while (true) {
        Frame.Buffer batch;
        lock.lock();
        try {
          if (pending.size() == 0) {
            writing = false;
            ok = true;
            return;
          }
          batch = pending;
          pending = spare;
          spare = batch;
        } finally {
          lock.unlock();
        }
        ByteBuffer bb = ByteBuffer.wrap(batch.bytes().array(), 0, batch.size());
        while (bb.hasRemaining()) {
          channel.write(bb);
        }
        batch.clear(); // only this thread touches the spare buffer until the next swap
      }
    } finally {
      if (!ok) {
        lock.lock();
        try {
          writing = false;
        } finally {
          lock.unlock();
        }
      }
    }
  }
}
