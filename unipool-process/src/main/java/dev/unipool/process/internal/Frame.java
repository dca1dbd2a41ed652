package dev.unipool.process.internal;

import dev.unipool.remote.Codec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The parent–worker wire protocol: one sealed interface of records, each written as
 * {@code [int length][byte type][fields]} and decoded with a pattern switch.
 */
sealed interface Frame {
  /** Frames larger than this are refused, so a corrupt length cannot make us allocate without bound. */
  int MAX_FRAME = Integer.MAX_VALUE - 64;

  /** Worker → parent, first frame: proves the worker knows the token it was given on stdin. */
  record Hello(String token, String worker, long pid) implements Frame {}

  /**
   * Parent → worker, answer to a good Hello: deserialization allow-list, optional initializer,
   * whether the parent already sends Fory payloads (then the worker builds Fory before it is ready), and
   * the pool's shared-memory directory for large payloads ({@link Region}; empty: none).
   */
  @SuppressWarnings("ArrayRecordComponent") // a wire record: written and read, never compared or hashed
  record Init(List<String> allowClasses, byte @Nullable [] initializer, boolean prepareFory, String shmDir)
      implements Frame {}

  /** Worker → parent: the initializer ran; send tasks. */
  record Ready() implements Frame {}

  /** Worker → parent: the initializer threw; payload is the encoded exception. */
  @SuppressWarnings("ArrayRecordComponent") // a wire record: written and read, never compared or hashed
  record InitFailed(byte[] error) implements Frame {}

  /**
   * Parent → worker: run a task.
   *
   * @param reportStart whether the worker answers {@link Started} when the task begins (tasks with a
   *     timeout, whose clock starts then)
   */
  record Run(long id, boolean reportStart, Codec.Encoded task) implements Frame {}

  /**
   * Parent → worker: run a task, as {@link Run}, and keep its encoding under {@code key}, so that later
   * runs of the same task are sent as {@link RunAgain} (a few bytes instead of the task: a lambda's Java
   * form is about 550). Sent only for a codec's shared encodings ({@link Codec#sharedKey}), once per
   * worker and key, always before the first {@code RunAgain} of that key.
   *
   * @param key below {@link #MAX_KEPT}
   */
  record RunKept(long id, boolean reportStart, int key, Codec.Encoded task) implements Frame {}

  /** Parent → worker: run the task kept under {@code key} ({@link RunKept}) again, as task {@code id}. */
  record RunAgain(long id, boolean reportStart, int key) implements Frame {}

  /** Keys of {@link RunKept} are below this; a worker keeps at most this many tasks. */
  int MAX_KEPT = 4096;

  /** Worker → parent: a task asked for it ({@link Run#reportStart}) is decoded and about to run. */
  record Started(long id) implements Frame {}

  /** Parent → worker: skip the task if not started; interrupt it if running. */
  record Cancel(long id) implements Frame {}

  /** Worker → parent: a task finished; payload is the encoded result or exception. */
  record Done(long id, boolean ok, long runNanos, Codec.Encoded payload) implements Frame {}

  /** Worker → parent: a cancelled task was skipped without running. */
  record Skipped(long id) implements Frame {}

  /** Parent → worker: finish what you have, then exit. */
  record Stop() implements Frame {}

  /**
   * Either way: the sender's Fory reader is built, so Fory payloads sent to it are read at once (see
   * {@link Codec#switchOnlyWhenPeerReads}). Sent once per connection and side, or never; the parent may
   * repeat it (a race between a worker's Init and the parent's build), and a repeat changes nothing.
   */
  record ForyReady() implements Frame {}

  /**
   * Writes a frame.
   *
   * @param f the frame
   * @param out the sink
   * @throws IOException if the sink fails
   */
  static void write(Frame f, DataOutputStream out) throws IOException {
    write(f, out, false);
  }

  /**
   * The payload of a Run or Done frame, which {@link FrameWriter} may send straight from its arrays.
   *
   * @param f a frame
   * @return its payload, or null if it has none worth sending separately
   */
  static Codec.@Nullable Encoded payload(Frame f) {
    if (f instanceof Run r) {
      return r.task();
    }
    return f instanceof Done d ? d.payload() : null;
  }

  /**
   * Writes a frame; with {@code headerOnly}, everything but the bytes of its {@link #payload}, which the
   * caller then writes right after (the length prefix already counts them).
   *
   * @param f the frame
   * @param out the sink
   * @param headerOnly whether to leave out the payload bytes
   * @throws IOException if the sink fails
   */
  static void write(Frame f, DataOutputStream out, boolean headerOnly) throws IOException {
    write(f, out, headerOnly, null);
  }

  /**
   * Writes a frame whose payload, if {@code region} is given, is in a shared-memory region: the frame
   * then carries only where it is.
   *
   * @param f the frame
   * @param out the sink
   * @param headerOnly whether to leave out the payload bytes
   * @param region where the payload is, or null
   * @throws IOException if the sink fails
   */
  static void write(Frame f, DataOutputStream out, boolean headerOnly, Region.@Nullable Ticket region)
      throws IOException {
    int start = out.size();
    out.writeInt(0); // length, patched by the caller-owned buffer below
    // Tests of the frame's type rather than a pattern switch, here and in every frame dispatch a new worker
    // runs: the first pattern switch of a JVM has its dispatch class generated at run time (5-12 ms on 2
    // cores, 1-2 ms each after it), which the start-up cache cannot keep. FrameTest writes every type.
    if (f instanceof Run r) {
      out.writeByte(5);
      out.writeLong(r.id());
      out.writeBoolean(r.reportStart());
      writeEncoded(out, r.task(), headerOnly, region);
    } else if (f instanceof RunAgain a) {
      out.writeByte(13);
      out.writeLong(a.id());
      out.writeBoolean(a.reportStart());
      out.writeInt(a.key());
    } else if (f instanceof RunKept k) {
      out.writeByte(12);
      out.writeLong(k.id());
      out.writeBoolean(k.reportStart());
      out.writeInt(k.key());
      writeEncoded(out, k.task(), false, null); // small by construction: always inline (see payload)
    } else if (f instanceof Done d) {
      out.writeByte(7);
      out.writeLong(d.id());
      out.writeBoolean(d.ok());
      out.writeLong(d.runNanos());
      writeEncoded(out, d.payload(), headerOnly, region);
    } else if (f instanceof Hello h) {
      out.writeByte(1);
      out.writeUTF(h.token());
      out.writeUTF(h.worker());
      out.writeLong(h.pid());
    } else if (f instanceof Init i) {
      out.writeByte(2);
      out.writeInt(i.allowClasses().size());
      for (String s : i.allowClasses()) {
        out.writeUTF(s);
      }
      writeBytes(out, i.initializer());
      out.writeBoolean(i.prepareFory());
      out.writeUTF(i.shmDir());
    } else if (f instanceof Ready) {
      out.writeByte(3);
    } else if (f instanceof InitFailed e) {
      out.writeByte(4);
      writeBytes(out, e.error());
    } else if (f instanceof Cancel c) {
      out.writeByte(6);
      out.writeLong(c.id());
    } else if (f instanceof Skipped s) {
      out.writeByte(8);
      out.writeLong(s.id());
    } else if (f instanceof Stop) {
      out.writeByte(9);
    } else if (f instanceof Started s) {
      out.writeByte(10);
      out.writeLong(s.id());
    } else if (f instanceof ForyReady) {
      out.writeByte(11);
    } else {
      throw new IllegalArgumentException("no wire form for " + f);
    }
    Codec.Encoded p = headerOnly && region == null ? payload(f) : null;
    ((Buffer) out).patchLength(start, p == null ? 0 : Math.toIntExact(p.wireLength()));
  }

  /** A body length that says the body is in a shared-memory region: generation, capacity and length follow. */
  int IN_REGION = -2;

  /** Where a Run frame's body length is: after its length, type, id, reportStart and tag. */
  int RUN_BODY_LENGTH_AT = 4 + 1 + 8 + 1 + 1;
  /** Where a Done frame's body length is: after its length, type, id, ok, runNanos and tag. */
  int DONE_BODY_LENGTH_AT = 4 + 1 + 8 + 1 + 8 + 1;
  /** Where a RunKept frame's body length is: after its length, type, id, reportStart, key and tag. */
  int KEPT_BODY_LENGTH_AT = RUN_BODY_LENGTH_AT + 4;

  /**
   * Whether {@code in} already holds the whole next frame, and reading it copies no payload out of a
   * shared-memory region (which could take milliseconds).
   *
   * @param in the buffered input
   * @return true if {@link #read} would return the next frame without touching the connection
   */
  static boolean nextIsBuffered(ChannelInput in) {
    int have = in.available();
    if (have < 5) {
      return false;
    }
    int length = in.peekInt(0);
    if (length < 1 || length > have - 4) {
      return false; // partial, or corrupt: the ordinary read reports it
    }
    int type = in.peek(4);
    int at = switch (type) {
      case 5 -> RUN_BODY_LENGTH_AT;
      case 7 -> DONE_BODY_LENGTH_AT;
      case 12 -> KEPT_BODY_LENGTH_AT;
      default -> -1; // no payload
    };
    return at < 0 || length < at || in.peekInt(at) != IN_REGION;
  }

  private static void writeEncoded(DataOutputStream out, Codec.Encoded e, boolean headerOnly,
      Region.@Nullable Ticket region) throws IOException {
    out.writeByte(e.tag());
    if (region != null) {
      out.writeInt(IN_REGION);
      out.writeInt(region.generation());
      out.writeLong(region.capacity());
      out.writeLong(region.length());
    } else if (headerOnly) {
      out.writeInt(Math.toIntExact(e.wireLength()));
    } else {
      out.writeInt(Math.toIntExact(e.wireLength()));
      e.writeWire(out);
    }
  }

  /**
   * Reads a tag and a body into an array of exactly the body's size, which becomes the decoded byte[]
   * (and each part of a value with {@link Codec.Encoded#parts} into one of its own).
   *
   * @param room the bytes left in the frame, tag included
   * @param frameLength the frame's length, for the message
   */
  private static Codec.Encoded readEncoded(DataInputStream in, int room, int frameLength, Region.@Nullable In region)
      throws IOException {
    byte tag = in.readByte();
    int n = in.readInt();
    if (n == IN_REGION) {
      if (region == null) {
        throw new StreamCorruptedException("a payload in shared memory, but this side has no region to read it from");
      }
      int gen = in.readInt();
      long capacity = in.readLong();
      return region.read(tag, gen, capacity, in.readLong());
    }
    checkFits(n, room - 1, frameLength);
    if (n < 0) {
      throw new StreamCorruptedException("missing payload");
    }
    return Codec.Encoded.read(tag, n, in);
  }

  private static void writeBytes(DataOutputStream out, byte @Nullable [] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  /**
   * Reads a length-prefixed byte array (-1: null). The length is checked against the room the frame has
   * left before anything is allocated: a peer could otherwise make us allocate up to 2 GB with a few bytes.
   *
   * @param room the bytes left in the frame, the array's length prefix included
   * @param frameLength the frame's length, for the message
   * @throws StreamCorruptedException if the announced length does not fit in the frame
   */
  private static byte @Nullable [] readBytes(DataInputStream in, int room, int frameLength) throws IOException {
    return bytesOf(in, in.readInt(), room, frameLength);
  }

  /** {@link #readBytes} once its length prefix {@code n} has been read. */
  private static byte @Nullable [] bytesOf(DataInputStream in, int n, int room, int frameLength) throws IOException {
    if (n < 0) {
      return null;
    }
    checkFits(n, room, frameLength);
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  /** Checks that an array of {@code n} bytes announced with {@code room} left in the frame fits in it. */
  private static void checkFits(int n, int room, int frameLength) throws StreamCorruptedException {
    int fits = Math.max(0, room - 4);
    if (n > fits) {
      throw new StreamCorruptedException("a frame of " + frameLength + " bytes announces a byte array of " + n
          + " bytes, but has room for at most " + fits + ": the peer is broken or not a unipool worker");
    }
  }

  private static byte[] readRequiredBytes(DataInputStream in, int room, int frameLength) throws IOException {
    byte[] b = readBytes(in, room, frameLength);
    if (b == null) {
      throw new StreamCorruptedException("missing payload");
    }
    return b;
  }

  /** The bytes {@link DataOutputStream#writeUTF} wrote for {@code s}: a two-byte length and modified UTF-8. */
  private static int utfLength(String s) {
    int n = 2;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c >= 0x0001 && c <= 0x007F ? 1 : c <= 0x07FF ? 2 : 3;
    }
    return n;
  }

  /**
   * Reads one frame.
   *
   * @param in the source
   * @return the frame, or null at a clean end of stream
   * @throws IOException if the stream fails or is corrupt
   */
  static @Nullable Frame read(DataInputStream in) throws IOException {
    return read(in, MAX_FRAME);
  }

  /**
   * Reads one frame no longer than {@code maxLength}.
   *
   * @param in the source
   * @param maxLength the largest frame accepted
   * @return the frame, or null at a clean end of stream
   * @throws IOException if the stream fails, is corrupt, or the frame is too long
   */
  static @Nullable Frame read(DataInputStream in, int maxLength) throws IOException {
    return read(in, maxLength, null);
  }

  /**
   * Reads one frame no longer than {@code maxLength}, whose payload may be in a shared-memory region.
   *
   * @param in the source
   * @param maxLength the largest frame accepted
   * @param region where the peer puts large payloads, or null if it puts none there
   * @return the frame, or null at a clean end of stream
   * @throws IOException if the stream fails, is corrupt, or the frame is too long
   */
  static @Nullable Frame read(DataInputStream in, int maxLength, Region.@Nullable In region) throws IOException {
    int length;
    try {
      length = in.readInt();
    } catch (EOFException e) {
      return null;
    }
    if (length < 1 || length > maxLength) {
      throw new StreamCorruptedException("bad frame length " + length);
    }
    int type = in.readUnsignedByte();
    int room = length - 1; // what the frame holds after its type byte; byte arrays are checked against it
    return switch (type) {
      case 1 -> new Hello(in.readUTF(), in.readUTF(), in.readLong());
      case 2 -> {
        int n = in.readInt();
        if (n < 0 || n > 10_000) {
          throw new StreamCorruptedException("bad allow-list size " + n);
        }
        room -= 4;
        List<String> allow = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          String pattern = in.readUTF();
          room -= utfLength(pattern);
          allow.add(pattern);
        }
        byte[] initializer = readBytes(in, room - 1, length);
        yield new Init(allow, initializer, in.readBoolean(), in.readUTF()); // prepareFory, shmDir
      }
      case 3 -> new Ready();
      case 4 -> new InitFailed(readRequiredBytes(in, room, length));
      case 5 -> new Run(in.readLong(), in.readBoolean(), readEncoded(in, room - 9, length, region)); // id, reportStart
      case 6 -> new Cancel(in.readLong());
      case 7 -> new Done(in.readLong(), in.readBoolean(), in.readLong(), readEncoded(in, room - 17, length, region));
      case 8 -> new Skipped(in.readLong());
      case 9 -> new Stop();
      case 10 -> new Started(in.readLong());
      case 11 -> new ForyReady();
      case 12 -> new RunKept(in.readLong(), in.readBoolean(), in.readInt(), // id, reportStart, key
          readEncoded(in, room - 13, length, region));
      case 13 -> new RunAgain(in.readLong(), in.readBoolean(), in.readInt());
      default -> throw new StreamCorruptedException("unknown frame type " + type);
    };
  }

  /**
   * A payload sent from its own array, written after the buffer's first {@code at} bytes.
   *
   * @param at the buffer position it follows
   * @param payload the bytes
   * @param region where the payload goes instead of the socket, or null
   * @param waiting a frame whose payload only a region can carry, and which takes the region when its turn
   *     to be written comes, waiting for it if busy: its header is written then, at {@code at}; else null
   */
  @SuppressWarnings("ArrayRecordComponent") // identity matters: the array is written as it is, never copied
  record Attachment(int at, Codec.Encoded payload, Region.@Nullable Ticket region, @Nullable Frame waiting) {}

  /**
   * A growable output buffer whose bytes can be handed to a channel without copying, plus large payloads
   * that follow frame headers in it by reference.
   */
  final class Buffer extends DataOutputStream {
    private final List<Attachment> attachments = new ArrayList<>();

    Buffer() {
      super(new Bytes());
    }

    /** Adds a payload to be written right after what the buffer holds now, or copied into a region. */
    void attach(Codec.Encoded payload, Region.@Nullable Ticket region) {
      attachments.add(new Attachment(size(), payload, region, null));
    }

    /**
     * Adds a frame, header and all, whose payload must wait for the region when the buffer is written
     * (see {@link Attachment#waiting}).
     */
    void attachWaiting(Frame frame, Codec.Encoded payload) {
      attachments.add(new Attachment(size(), payload, null, frame));
    }

    /** Whether nothing is to be written: no bytes and no frame waiting for a region. */
    boolean isEmpty() {
      return size() == 0 && attachments.isEmpty();
    }

    List<Attachment> attachments() {
      return attachments;
    }

    void patchLength(int start, int extra) {
      Bytes b = (Bytes) out;
      int len = b.size() - start - 4 + extra;
      byte[] a = b.array();
      a[start] = (byte) (len >>> 24);
      a[start + 1] = (byte) (len >>> 16);
      a[start + 2] = (byte) (len >>> 8);
      a[start + 3] = (byte) len;
    }

    Bytes bytes() {
      return (Bytes) out;
    }

    void clear() {
      ((Bytes) out).reset();
      attachments.clear();
      written = 0;
    }
  }

  /**
   * Exposes the backing array of a {@link java.io.ByteArrayOutputStream}, and writes without its monitor:
   * a buffer is only ever filled under its {@link FrameWriter}'s lock and emptied by the one thread that
   * writes it out (the lock hands it over, with the memory effects), and a frame takes four to six writes,
   * each an uncontended monitor enter and exit otherwise (one of the parent's hottest spots with 100k tasks at
   * once: the frames' {@code writeInt} in {@code ensureCapacity}, in a profile of the submitting thread).
   */
  final class Bytes extends java.io.ByteArrayOutputStream {
    Bytes() {
      super(8192);
    }

    @Override
    @SuppressWarnings("UnsynchronizedOverridesSynchronized") // confined by its writer, see above
    public void write(int b) {
      ensureRoom(1);
      buf[count++] = (byte) b;
    }

    @Override
    @SuppressWarnings("UnsynchronizedOverridesSynchronized") // confined by its writer, see above
    public void write(byte[] b, int off, int len) {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      ensureRoom(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    private void ensureRoom(int more) {
      int need = count + more;
      if (need < 0) {
        throw new OutOfMemoryError("a frame buffer cannot hold more than 2 GB");
      }
      if (need > buf.length) {
        // Doubling, capped near the largest array length, as ByteArrayOutputStream grows
        int grown = buf.length > (Integer.MAX_VALUE - 8) / 2 ? Integer.MAX_VALUE - 8 : buf.length * 2;
        buf = java.util.Arrays.copyOf(buf, Math.max(need, grown));
      }
    }

    byte[] array() {
      return buf;
    }

    /** Drops a large backing array after a big payload, so one 100 MB task does not pin 100 MB forever. */
    @Override
    public synchronized void reset() { // as the method it overrides; uncontended, so nearly free
      super.reset();
      if (buf.length > (1 << 22)) {
        buf = new byte[8192];
      }
    }
  }
}
