package dev.unipool.process.internal;

import dev.unipool.remote.Codec;
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
final class FrameWriter implements TaskLoop.Sink {
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
  /** Opened on the first full socket; used only by the thread holding the {@code writing} flag. */
  private java.nio.channels.@Nullable Selector writable;
  private boolean closed; // guarded by lock

  private final boolean interruptible;
  /** Where payloads of {@link Region#THRESHOLD} bytes or more go instead of the socket; guarded by lock. */
  private Region.@Nullable Out region;

  FrameWriter(WritableByteChannel channel, String name) {
    this.channel = channel;
    this.name = name;
    this.interruptible = !(channel instanceof java.nio.channels.SelectableChannel sc) || sc.isBlocking();
  }

  /** Whether the calling thread may write to the channel itself. */
  private boolean mayWrite() {
    return !interruptible || OWNED.get();
  }

  /**
   * Sends payloads of {@link Region#THRESHOLD} bytes or more through {@code r} from now on; the reader
   * must read with the matching {@link Region.In}. The writer closes it in {@link #close()}.
   *
   * @param r the region for this direction
   */
  void useRegion(Region.Out r) {
    lock.lock();
    try {
      region = r;
    } finally {
      lock.unlock();
    }
  }

  /** The region for {@code payload}, taken, if it goes through one; else null (it goes through the socket). */
  private Region.@Nullable Ticket takeRegionLocked(Codec.Encoded payload) {
    Region.Out r = region;
    long n = payload.wireLength();
    return r != null && n >= Region.THRESHOLD ? r.take(n) : null;
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
  @Override
  public void send(Frame frame, boolean flush) throws IOException {
    Codec.Encoded payload = Frame.payload(frame);
    long n = payload == null ? 0 : payload.wireLength();
    Codec.Encoded large = n > LARGE || n >= Region.THRESHOLD ? payload : null;
    if (flush && large != null && mayWrite()) {
      sendLarge(frame, large);
      return;
    }
    lock.lock();
    try {
      Region.Ticket ticket = large == null ? null : takeRegionLocked(large);
      if (ticket != null && large != null) {
        // Copied into the region when the batch is written, before the frame that refers to it.
        Frame.write(frame, pending, false, ticket);
        pending.attach(large, ticket);
      } else if (large != null) {
        // Queued by reference, not copied: a copy into the buffer would cost more than the write itself,
        // and the buffer would grow by doubling. Callers never modify a payload after sending it.
        Frame.write(frame, pending, true);
        pending.attach(large, null);
      } else {
        Frame.write(frame, pending);
      }
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
  @Override
  public void flush() throws IOException {
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

  /**
   * Writes the pending frames, then this frame's header, then its payload from the caller's array (or
   * puts the payload in the region first, and sends only the header).
   */
  private void sendLarge(Frame frame, Codec.Encoded payload) throws IOException {
    Frame.Buffer batch;
    Region.Ticket ticket;
    lock.lock();
    try {
      while (writing) {
        idle.awaitUninterruptibly();
      }
      writing = true;
      ticket = takeRegionLocked(payload);
      Frame.write(frame, pending, ticket == null, ticket);
      batch = pending;
      pending = spare;
      spare = batch;
    } finally {
      lock.unlock();
    }
    boolean ok = false;
    try {
      if (ticket != null) {
        fill(ticket, payload);
        writeBatch(batch);
      } else {
        writeBatch(batch);
        writeAll(payload);
      }
      batch.clear();
      ok = true;
    } finally {
      if (!ok) {
        release();
      }
    }
    drain();
  }

  /** Writes a batch: its buffered bytes, with each attached payload in its place. */
  private void writeBatch(Frame.Buffer batch) throws IOException {
    byte[] buffered = batch.bytes().array();
    for (Frame.Attachment a : batch.attachments()) {
      Region.Ticket t = a.region();
      if (t != null) {
        fill(t, a.payload()); // before any byte of the frame that refers to it leaves
      }
    }
    int from = 0;
    for (Frame.Attachment a : batch.attachments()) {
      if (a.region() != null) {
        continue;
      }
      writeFully(ByteBuffer.wrap(buffered, from, a.at() - from));
      writeAll(a.payload());
      from = a.at();
    }
    writeFully(ByteBuffer.wrap(buffered, from, batch.size() - from));
  }

  /**
   * Copies a payload into its region. If that fails (the region was closed under us, or the JVM's answer
   * to SIGBUS when {@code /dev/shm} runs out of room), the connection is closed: the frames of this batch
   * are lost, and the peer's end of the connection is how both sides learn it (a worker exits and its
   * tasks are re-sent, as if it had died).
   */
  private void fill(Region.Ticket t, Codec.Encoded payload) throws IOException {
    try {
      t.fill(payload);
    } catch (RuntimeException | InternalError e) {
      channel.close();
      throw new IOException("cannot put a payload of " + payload.wireLength() + " bytes in shared memory: " + e, e);
    }
  }

  /** Writes a payload's wire form straight from its arrays. */
  private void writeAll(Codec.Encoded payload) throws IOException {
    for (byte[] b : payload.wire()) {
      writeFully(ByteBuffer.wrap(b));
    }
  }

  private void writeFully(ByteBuffer bb) throws IOException {
    // NIO copies the *whole* remaining heap buffer into a temporary direct buffer on every write call,
    // so writing 100 MB in one buffer costs quadratic copying; slices keep each copy small.
    while (bb.hasRemaining()) {
      int n = Math.min(SLICE, bb.remaining());
      ByteBuffer slice = bb.slice(bb.position(), n);
      while (slice.hasRemaining()) {
        if (channel.write(slice) == 0) {
          awaitWritable(); // non-blocking and full: wait until the peer has drained some
        }
      }
      bb.position(bb.position() + n);
    }
  }

  /**
   * Waits until the socket takes more bytes. A selector, not a sleep: a large payload fills the socket
   * buffer hundreds of times, and each timed park lasts far longer than its nominal 20 µs on a busy
   * machine (10 MB round trips took 60-100 ms, mostly sleeping).
   */
  private void awaitWritable() throws IOException {
    if (!(channel instanceof java.nio.channels.SelectableChannel sc)) {
      Thread.onSpinWait();
      return;
    }
    java.nio.channels.Selector s = writable;
    if (s == null) {
      s = java.nio.channels.Selector.open();
      try {
        sc.register(s, java.nio.channels.SelectionKey.OP_WRITE);
      } catch (IOException | RuntimeException e) {
        s.close(); // the channel closed meanwhile: do not leak the new selector
        throw e;
      }
      writable = s;
    }
    s.select(100); // bounded: a channel closed meanwhile shows up as a write failure on the next try
    s.selectedKeys().clear();
  }

  /**
   * Releases the writer's selector, if it opened one; call once the channel is closed. A thread still
   * writing (say, waiting in {@link #awaitWritable}) releases it when it stops.
   */
  void close() {
    lock.lock();
    try {
      closed = true;
      Region.Out r = region;
      if (r != null) {
        region = null;
        r.close();
      }
      if (!writing) {
        closeSelectorLocked();
      }
    } finally {
      lock.unlock();
    }
  }

  private void closeSelectorLocked() {
    java.nio.channels.Selector s = writable;
    if (s != null) {
      writable = null;
      try {
        s.close();
      } catch (IOException e) {
        // nothing left to release
      }
    }
  }

  private void release() {
    lock.lock();
    try {
      writing = false;
      idle.signalAll();
      if (closed) {
        closeSelectorLocked();
      }
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
            if (closed) {
              closeSelectorLocked();
            }
            ok = true;
            return;
          }
          batch = pending;
          pending = spare;
          spare = batch;
        } finally {
          lock.unlock();
        }
        writeBatch(batch);
        batch.clear(); // only this thread touches the spare buffer until the next swap
      }
    } finally {
      if (!ok) {
        release();
      }
    }
  }
}
