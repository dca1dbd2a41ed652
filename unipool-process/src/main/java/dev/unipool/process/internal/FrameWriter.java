package dev.unipool.process.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Writes frames to a channel from many threads, combining them: frames are appended to a buffer under a
 * short lock, and one thread at a time writes everything accumulated so far. Under load, many small
 * frames leave in one system call; when idle, a frame leaves at once.
 *
 * <p>A blocking socket channel is closed when a thread blocked in it is interrupted, and an application's
 * interrupt must not cut a worker off. So on a non-blocking channel (the parent's end) any thread writes
 * directly, waiting briefly when the socket buffer is full; on a blocking channel only threads unipool
 * owns (marked with {@link #markOwned()}) write directly and any other thread hands the write to this
 * writer's own thread.
 */
final class FrameWriter {
  /** Payloads above this leave straight from their array instead of being copied into the buffer. */
  private static final int LARGE = 1 << 18;
  /** A socket takes a few hundred KB per write; larger slices would only be copied and copied again. */
  private static final int SLICE = 1 << 18;
  private static final ThreadLocal<Boolean> OWNED = ThreadLocal.withInitial(() -> false);

  private final WritableByteChannel channel;
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private final Condition work = lock.newCondition();
  private Frame.Buffer pending = new Frame.Buffer();
  private Frame.Buffer spare = new Frame.Buffer();
  private boolean writing;
  private boolean flushRequested;
  private @Nullable Thread handoff;
  private volatile @Nullable IOException failure;

  private final boolean interruptible;

  FrameWriter(WritableByteChannel channel, String name) {
    this.channel = channel;
    this.name = name;
    this.interruptible = !(channel instanceof java.nio.channels.SelectableChannel sc) || sc.isBlocking();
  }

  /** Whether the calling thread may write to the channel itself. */
  private boolean mayWrite() {
    return !interruptible || OWNED.get();
  }

  /** Marks the calling thread as one that no application code interrupts, so it may write directly. */
  static void markOwned() {
    OWNED.set(true);
  }

  /**
   * Appends a frame and, if {@code flush}, gets all pending frames written now (by this thread if it is
   * owned and nobody else is writing, else by the thread already writing or this writer's own thread).
   *
   * @param frame the frame
   * @param flush whether to write now
   * @throws IOException if the channel has failed
   */
  void send(Frame frame, boolean flush) throws IOException {
    byte[] payload = Frame.payload(frame);
    if (flush && payload != null && payload.length > LARGE && mayWrite()) {
      sendLarge(frame, payload);
      return;
    }
    lock.lock();
    try {
      Frame.write(frame, pending);
    } finally {
      lock.unlock();
    }
    if (flush) {
      flush();
    }
  }

  /**
   * Gets all pending frames written: by this thread if it is owned, else by this writer's own thread.
   *
   * @throws IOException if the channel has failed
   */
  void flush() throws IOException {
    IOException f = failure;
    if (f != null) {
      throw f;
    }
    if (!mayWrite()) {
      requestHandoff();
      return;
    }
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

  private void requestHandoff() {
    lock.lock();
    try {
      flushRequested = true;
      if (handoff == null) {
        handoff = Thread.ofPlatform().daemon().name("unipool-writer-" + name).start(this::handoffLoop);
      }
      work.signal();
    } finally {
      lock.unlock();
    }
  }

  private void handoffLoop() {
    markOwned();
    while (true) {
      lock.lock();
      try {
        while (!flushRequested) {
          work.awaitUninterruptibly();
        }
        flushRequested = false;
      } finally {
        lock.unlock();
      }
      try {
        flush();
      } catch (IOException e) {
        failure = e;
        return; // the channel is dead; the reader sees it and the pool handles the worker's exit
      }
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

  private void writeFully(ByteBuffer bb) throws IOException {
    // NIO copies the *whole* remaining heap buffer into a temporary direct buffer on every write call,
    // so writing 100 MB in one buffer costs quadratic copying; slices keep each copy small.
    while (bb.hasRemaining()) {
      int n = Math.min(SLICE, bb.remaining());
      ByteBuffer slice = bb.slice(bb.position(), n);
      while (slice.hasRemaining()) {
        if (channel.write(slice) == 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(20_000); // non-blocking and full: the peer drains it
        }
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
