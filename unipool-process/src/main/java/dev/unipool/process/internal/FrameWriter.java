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
 *
 * <p>Payloads from {@link Region#THRESHOLD} bytes go through the connection's shared-memory region when
 * it is free, else through the socket; one larger than a socket frame can carry only through the region,
 * and the thread writing it waits for the region if it must (see {@link #send}).
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
  /** The longest payload one socket frame carries; longer ones go through the region, waiting for it. */
  private final long socketMax;
  /**
   * Frames queued to wait for the region (longer than {@link #socketMax}) that have not taken it yet;
   * guarded by lock. While there are any, no other payload takes the region: one queued after them would
   * take it first, and they would wait for a reader that needs their own bytes before it can free it.
   */
  private int waitingForRegion;

  FrameWriter(WritableByteChannel channel, String name) {
    this(channel, name, Codec.MAX_BODY_BYTES);
  }

  /** As {@link #FrameWriter(WritableByteChannel, String)}, with a smaller socket limit for tests. */
  FrameWriter(WritableByteChannel channel, String name, long socketMax) {
    this.channel = channel;
    this.name = name;
    this.interruptible = !(channel instanceof java.nio.channels.SelectableChannel sc) || sc.isBlocking();
    this.socketMax = socketMax;
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
    return r != null && n >= Region.THRESHOLD && waitingForRegion == 0 ? r.take(n) : null;
  }

  /** Marks the calling thread as one that no application code interrupts, so it may write directly. */
  static void markOwned() {
    OWNED.set(true);
  }

  /**
   * Appends a frame and, if {@code flush}, gets all pending frames written now (by this thread if it is
   * owned and nobody else is writing, else by the thread already writing or this writer's own thread).
   * A frame whose payload is larger than one socket frame ({@code Codec.MAX_BODY_BYTES}) is queued to take
   * the region when it is written: whichever thread writes it waits there while an earlier payload holds
   * the region, and frames sent after it are written after it; this call itself never waits for it.
   *
   * @param frame the frame
   * @param flush whether to write now
   * @throws IOException if the channel has failed
   */
  @Override
  public void send(Frame frame, boolean flush) throws IOException {
    Codec.Encoded payload = Frame.payload(frame);
    long n = payload == null ? 0 : payload.wireLength();
    if (payload != null && n > socketMax) {
      // Only a region carries it. It takes the region when its turn to be written comes, waiting there if
      // an earlier payload still holds it: in the writing thread, not here, so that the caller (the pool,
      // holding its lock) is not held up, and frames queued after it stay after it.
      lock.lock();
      try {
        pending.attachWaiting(frame, payload);
        waitingForRegion++;
      } finally {
        lock.unlock();
      }
      if (flush) {
        flush();
      }
      return;
    }
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
      if (writing || pending.isEmpty()) {
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
      Frame waiting = a.waiting();
      if (waiting != null) {
        writeThroughRegion(waiting, a.payload()); // what came before it is out: its reader can free the region
      } else {
        writeAll(a.payload());
      }
      from = a.at();
    }
    writeFully(ByteBuffer.wrap(buffered, from, batch.size() - from));
  }

  /**
   * Puts a payload too large for one socket frame in the region, waiting while an earlier payload holds
   * it, then writes its frame. If the region cannot take it (none on this connection, no room, or closed),
   * the connection is closed, as when a copy into the region fails (see {@link #fill}).
   */
  private void writeThroughRegion(Frame frame, Codec.Encoded payload) throws IOException {
    Region.Out r;
    lock.lock();
    try {
      r = region;
    } finally {
      lock.unlock();
    }
    Region.Ticket t;
    try {
      t = r == null ? null : r.takeWaiting(payload.wireLength());
    } finally {
      lock.lock();
      try {
        waitingForRegion--;
      } finally {
        lock.unlock();
      }
    }
    if (t == null) {
      channel.close();
      throw new IOException("cannot send a payload of " + payload.wireLength() + " bytes, too large for one socket"
          + " frame: " + (r == null ? "this connection has no shared memory" : "its shared memory cannot take it"
          + " (no room in the file system, or the connection closed)"));
    }
    fill(t, payload);
    Frame.Buffer head = new Frame.Buffer();
    Frame.write(frame, head, false, t);
    writeFully(ByteBuffer.wrap(head.bytes().array(), 0, head.size()));
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
    payload.writeWire(this::writeFully);
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
          if (pending.isEmpty()) {
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
