package dev.unipool.remote;

import dev.unipool.PayloadTooLargeException;
import dev.unipool.RemoteTaskException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.StreamCorruptedException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Turns tasks, results and exceptions into bytes and back, for backends whose tasks leave this JVM
 * (worker processes, cluster members). Thread-safe.
 *
 * <p>Every encoded value is a one-byte tag and a body ({@link Encoded}). Common values (null, Integer,
 * Long, Double, Boolean, String, byte[]) get a raw body; a {@code byte[]} is its own body, not copied.
 * Other objects are written by Apache Fory, which is several times faster than Java serialization and
 * its output smaller, but costs a few hundred milliseconds to start: so a codec starts Fory in the
 * background after its first few uses and sends Java serialization until Fory is ready (and, where the
 * transport asks for it, until the other side says its Fory reader is ready too: {@link
 * #switchOnlyWhenPeerReads}). Both sides read both forms. Exceptions always travel by Java serialization,
 * which keeps their stack traces. In both forms, primitive arrays (other than {@code boolean[]}) of 64 KiB
 * or more inside an object are not copied into the body: they travel beside it as the value's {@link
 * Encoded#parts}, and come out of decoding as the arrays the transport read.
 *
 * <p>What may be sent is what Java serialization accepts: Fory's writer refuses classes that are not
 * {@link java.io.Serializable}, and whatever Fory cannot write is tried with Java serialization, whose
 * refusal names the offending class. Reading runs behind the same rules in both forms: an allow-list when
 * the user gave one, otherwise a deny-list of known deserialization gadgets, plus depth limits. The system
 * property {@value #MODE_PROPERTY} chooses: {@code auto} (the default, as above), {@code fory} (Fory from
 * the first object, built on first use) or {@code java} (never Fory). Each side reads both forms whatever
 * it writes, so the two sides need not agree.
 *
 * <p>Stateless tasks (lambdas that capture nothing) are encoded once per class and decoded once per
 * byte string: every instance of such a class is interchangeable, so caching cannot leak state.
 *
 * <p>An encoded body is at most {@link #MAX_BODY_BYTES} (about 2 GB, what one array and frame can hold):
 * a larger task fails at {@code submit}, a larger result fails its task, both with a
 * {@link PayloadTooLargeException} that gives the size and the limit. So is a value's whole wire form,
 * its large primitive arrays included, unless the transport carries those beside the frame and says how much
 * it can take ({@link #allowLargeWire}).
 */
public final class Codec {
  private static final byte NULL = 0;
  private static final byte INT = 1;
  private static final byte LONG = 2;
  private static final byte STRING = 3;
  private static final byte BYTES = 4;
  private static final byte DOUBLE = 5;
  private static final byte BOOLEAN = 6;
  static final byte JAVA = 9;
  static final byte FORY = 10;
  /**
   * The tag of a value with {@link Encoded#parts}: a Fory body whose primitive arrays of 64 KiB or more
   * travel beside it. Transports read such a value with {@link Encoded#read}, which gives each part its own array.
   */
  public static final byte PARTS = 11;
  /** As {@link #PARTS}, with a Java-serialization body. */
  public static final byte JAVA_PARTS = 12;
  /** Primitive arrays of this many bytes or more travel as parts of an {@link Encoded}, beside the body. */
  static final int PART_MIN = 1 << 16;

  /**
   * Whether a value with this tag has {@link Encoded#parts} on the wire.
   *
   * @param tag a tag
   * @return true for the tags whose wire form has a part table
   */
  public static boolean hasParts(byte tag) {
    return tag == PARTS || tag == JAVA_PARTS;
  }

  /**
   * The largest encoded body, in bytes: what a Java array can hold, less room for the headers of the
   * frames and envelopes that carry it. A larger value fails with a {@link PayloadTooLargeException}
   * where it is encoded, instead of an {@code OutOfMemoryError} (an array that large cannot exist) or a
   * frame whose length overflows.
   */
  public static final int MAX_BODY_BYTES = Integer.MAX_VALUE - 1024;

  /** Fory is started after this many uses of a codec, so short-lived pools never pay for it. */
  static final int WARM_AFTER = 8;
  /** The system property that chooses the codec: {@code auto} (the default), {@code fory} or {@code java}. */
  public static final String MODE_PROPERTY = "unipool.codec";
  /** Whether Fory is on the class path at all; without it every mode but {@code fory} works, in Java form. */
  private static final boolean FORY_PRESENT = foryPresent();

  private static boolean foryPresent() {
    try {
      Class.forName("org.apache.fory.ThreadSafeFory", false, Codec.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Receives a wire form a buffer at a time (see {@link Encoded#writeWire(WireSink)}).
   */
  @FunctionalInterface
  public interface WireSink {
    /**
     * Takes the remaining bytes of {@code bytes}. The buffer may be reused once this returns.
     *
     * @param bytes the next bytes of the wire form
     * @throws IOException if the sink fails
     */
    void write(ByteBuffer bytes) throws IOException;
  }

  /**
   * An encoded value: a tag saying how the body is written, the body, and the large primitive arrays
   * inside the value ({@code parts}: {@code byte[]}, {@code short[]}, {@code char[]}, {@code int[]},
   * {@code long[]}, {@code float[]} or {@code double[]} of {@code 64 KiB} or more), which travel by
   * reference, not copied into the body. Bodies and parts may be shared with the value they came from (a
   * {@code byte[]} result, an array a task captures) and must not be modified.
   *
   * <p>On the wire ({@link #writeWire}, {@link #joined}) a value without parts is its body; with parts it
   * is {@code [int body length][int part count][int kind, int element count of each part][body][each
   * part's elements, little-endian]}, so that a transport can copy each part straight from its array and a
   * reader can read each into an array of its own, which decoding then uses as it is. A value with parts
   * may be longer than {@link #MAX_BODY_BYTES}: only its body must fit one array.
   *
   * @param tag the encoding
   * @param body the bytes
   * @param parts large primitive arrays the body refers to by index, in order (empty for most values)
   */
  @SuppressWarnings("ArrayRecordComponent") // a wire payload: identity and contents are what the caller sends
  public record Encoded(byte tag, byte[] body, List<Object> parts) {
    /**
     * Validates and copies the part list (not the parts).
     *
     * @throws IllegalArgumentException if a part is not a primitive array of one of the kinds above
     */
    public Encoded {
      parts = List.copyOf(parts);
      for (Object p : parts) {
        if (Parts.kind(p) == 0) {
          throw new IllegalArgumentException("a part must be a byte, short, char, int, long, float or double"
              + " array, not a " + p.getClass().getTypeName());
        }
      }
    }

    /**
     * An encoded value without parts.
     *
     * @param tag the encoding
     * @param body the bytes
     */
    public Encoded(byte tag, byte[] body) {
      this(tag, body, List.of());
    }

    /**
     * The length of the wire form (without the tag).
     *
     * @return body and parts, with the part table
     */
    public long wireLength() {
      if (parts.isEmpty()) {
        return body.length;
      }
      long n = 8L + 8L * parts.size() + body.length;
      for (Object p : parts) {
        n += Parts.byteSize(p);
      }
      return n;
    }

    /** The part table and the body, in one new array: what precedes the parts on the wire. */
    private byte[] head() {
      ByteBuffer head = ByteBuffer.allocate(8 + 8 * parts.size() + body.length);
      head.putInt(body.length).putInt(parts.size());
      for (Object p : parts) {
        head.putInt(Parts.kind(p)).putInt(Parts.length(p));
      }
      return head.put(body).array();
    }

    /**
     * Hands the wire form (without the tag) to {@code sink}: the body alone, or for a value with parts a
     * small new array (the part table and the body) followed by each part, a {@code byte[]} as it is and
     * other arrays converted a chunk at a time.
     *
     * @param sink where the bytes go, in order
     * @throws IOException if the sink fails
     */
    public void writeWire(WireSink sink) throws IOException {
      if (parts.isEmpty()) {
        sink.write(ByteBuffer.wrap(body));
        return;
      }
      sink.write(ByteBuffer.wrap(head()));
      for (Object p : parts) {
        Parts.write(p, sink);
      }
    }

    /**
     * Writes the wire form (without the tag): for a value without parts, just its body, so that the
     * common small frame costs no allocation.
     *
     * @param out the sink
     * @throws IOException if the sink fails
     */
    public void writeWire(java.io.DataOutput out) throws IOException {
      if (parts.isEmpty()) {
        out.write(body);
        return;
      }
      writeWire(b -> out.write(b.array(), b.arrayOffset() + b.position(), b.remaining()));
    }

    /**
     * Copies the wire form (without the tag) into {@code dst}, each part with one bulk copy.
     *
     * @param dst a segment of at least {@link #wireLength()} bytes
     * @throws IndexOutOfBoundsException if it is smaller
     * @throws IllegalStateException if its memory is no longer alive or belongs to another thread
     */
    public void copyTo(MemorySegment dst) {
      if (parts.isEmpty()) {
        MemorySegment.copy(body, 0, dst, ValueLayout.JAVA_BYTE, 0, body.length);
        return;
      }
      byte[] head = head();
      MemorySegment.copy(head, 0, dst, ValueLayout.JAVA_BYTE, 0, head.length);
      long at = head.length;
      for (Object p : parts) {
        Parts.copy(p, dst, at);
        at += Parts.byteSize(p);
      }
    }

    /**
     * The tag and wire form in one array, for transports that carry a single byte string.
     *
     * @return a new array
     * @throws ArithmeticException if the wire form is longer than an array can be
     */
    public byte[] joined() {
      byte[] out = new byte[Math.toIntExact(wireLength() + 1)];
      out[0] = tag;
      ByteBuffer into = ByteBuffer.wrap(out, 1, out.length - 1);
      try {
        writeWire(into::put);
      } catch (IOException e) {
        throw new AssertionError("a heap buffer does not fail", e);
      }
      return out;
    }

    /**
     * Splits an array made by {@link #joined()}.
     *
     * @param joined tag and body
     * @return the encoded value
     * @throws StreamCorruptedException if the array is empty or its part table does not fit it
     */
    public static Encoded split(byte[] joined) throws StreamCorruptedException {
      if (joined.length == 0) {
        throw new StreamCorruptedException("empty payload");
      }
      try {
        return read(joined[0], joined.length - 1,
            new java.io.DataInputStream(new ByteArrayInputStream(joined, 1, joined.length - 1)));
      } catch (StreamCorruptedException e) {
        throw e;
      } catch (IOException e) {
        throw new StreamCorruptedException("truncated payload: " + e);
      }
    }

    /**
     * Reads the wire form of a value with tag {@code tag} whose wire length is {@code length}, each part
     * into an array of its own. Only a value with parts may be longer than {@link #MAX_BODY_BYTES}.
     *
     * @param tag the encoding, read before
     * @param length the wire length; the caller has checked that the source holds that many bytes
     * @param in the source
     * @return the value
     * @throws StreamCorruptedException if the part table does not fit in {@code length}, or a value
     *     without parts is longer than one body can be
     * @throws IOException if the source fails
     */
    public static Encoded read(byte tag, long length, java.io.DataInput in) throws IOException {
      if (!hasParts(tag)) {
        byte[] b = new byte[bodyLength(length)];
        in.readFully(b);
        return new Encoded(tag, b);
      }
      int bodyLength = in.readInt();
      int count = in.readInt();
      byte[] table = new byte[tableLength(length, count)];
      in.readFully(table);
      Object[] parts = parts(length, bodyLength, table);
      byte[] body = new byte[bodyLength];
      in.readFully(body);
      for (Object p : parts) {
        Parts.read(in, p);
      }
      return new Encoded(tag, body, Arrays.asList(parts));
    }

    /**
     * Reads a wire form of tag {@code tag} from a segment of exactly its length, each part with one bulk
     * copy into an array of its own.
     *
     * @param tag the encoding, read before
     * @param wire the wire form
     * @return the value
     * @throws StreamCorruptedException as {@link #read(byte, long, java.io.DataInput)}
     * @throws IllegalStateException if the segment's memory is no longer alive or belongs to another thread
     */
    public static Encoded read(byte tag, MemorySegment wire) throws StreamCorruptedException {
      long length = wire.byteSize();
      if (!hasParts(tag)) {
        bodyLength(length);
        return new Encoded(tag, wire.toArray(ValueLayout.JAVA_BYTE));
      }
      if (length < 8) {
        throw new StreamCorruptedException("bad payload length " + length + " for a value with parts");
      }
      int bodyLength = wire.get(BIG_INT, 0);
      int count = wire.get(BIG_INT, 4);
      int tableLength = tableLength(length, count);
      byte[] table = wire.asSlice(8, tableLength).toArray(ValueLayout.JAVA_BYTE);
      Object[] parts = parts(length, bodyLength, table);
      long at = 8L + tableLength;
      byte[] body = wire.asSlice(at, bodyLength).toArray(ValueLayout.JAVA_BYTE);
      at += bodyLength;
      for (Object p : parts) {
        Parts.copy(wire, at, p);
        at += Parts.byteSize(p);
      }
      return new Encoded(tag, body, Arrays.asList(parts));
    }

    private static final ValueLayout.OfInt BIG_INT =
        ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    private static int bodyLength(long length) throws StreamCorruptedException {
      if (length < 0 || length > MAX_BODY_BYTES) {
        throw new StreamCorruptedException("bad payload length " + length + " for a value without parts");
      }
      return (int) length;
    }

    /** The length of the part table of {@code count} parts, checked against the wire length. */
    private static int tableLength(long length, int count) throws StreamCorruptedException {
      if (count < 1 || count > (length - 8) / 8) {
        throw new StreamCorruptedException("bad part count " + count + " in a payload of " + length + " bytes");
      }
      return 8 * count;
    }

    /**
     * New, empty parts as the table says, once the table, the body and the parts add up to the wire
     * length: a corrupt table must not cost gigabytes of arrays.
     */
    private static Object[] parts(long length, int bodyLength, byte[] table) throws StreamCorruptedException {
      ByteBuffer t = ByteBuffer.wrap(table);
      int count = table.length / 8;
      int[] kinds = new int[count];
      int[] lengths = new int[count];
      long left = length - 8L - table.length - bodyLength;
      boolean ok = bodyLength >= 0;
      for (int i = 0; i < count; i++) {
        kinds[i] = t.getInt();
        lengths[i] = t.getInt();
        ok &= Parts.isKind(kinds[i]) && lengths[i] >= 0;
        if (ok) {
          left -= (long) lengths[i] * Parts.elementSize(kinds[i]);
        }
      }
      if (!ok || left != 0) {
        throw new StreamCorruptedException("bad part table in a payload of " + length + " bytes");
      }
      Object[] parts = new Object[count];
      for (int i = 0; i < count; i++) {
        parts[i] = Parts.allocate(kinds[i], lengths[i]);
      }
      return parts;
    }
  }

  /** Classes whose deserialization has been abused to run code; refused even without an allow-list. */
  static final String DENY = String.join(";",
      "!org.apache.commons.collections.functors.*",
      "!org.apache.commons.collections4.functors.*",
      "!org.codehaus.groovy.runtime.*",
      "!com.sun.org.apache.xalan.internal.xsltc.trax.*",
      "!org.springframework.beans.factory.*",
      "!com.mchange.v2.c3p0.*",
      "!javax.management.*",
      "!java.rmi.*",
      "!sun.rmi.*",
      "!bsh.*",
      "!clojure.*",
      "!org.python.core.*",
      "!com.sun.rowset.*",
      "!javax.script.*",
      "!java.beans.*");

  /** With an allow-list, what is always allowed besides it: JDK value types, lambdas, unipool's classes. */
  static final String ALWAYS = String.join(";",
      "java.lang.*", "java.lang.invoke.SerializedLambda", "java.util.*", "java.util.concurrent.*",
      "java.util.concurrent.atomic.*", "java.time.*", "java.math.*", "java.net.URI",
      // Exceptions tasks commonly throw. (Filter patterns have no infix wildcard: "java.io.*Exception"
      // would be one literal name.)
      "java.io.IOException", "java.io.UncheckedIOException", "java.io.FileNotFoundException",
      "java.io.EOFException", "java.io.InterruptedIOException", "java.io.NotSerializableException",
      "java.io.InvalidClassException", "java.io.StreamCorruptedException", "java.io.ObjectStreamException",
      "java.nio.file.FileSystemException", "java.nio.file.NoSuchFileException",
      "java.nio.file.AccessDeniedException", "java.nio.file.FileAlreadyExistsException",
      "java.nio.file.DirectoryNotEmptyException", "java.nio.file.NotDirectoryException",
      "java.net.URISyntaxException", "java.net.MalformedURLException", "java.net.UnknownHostException",
      "java.net.ConnectException", "java.net.SocketTimeoutException", "java.net.SocketException",
      "java.net.http.HttpTimeoutException", "java.net.http.HttpConnectTimeoutException",
      "dev.unipool.**");

  private static final String LIMITS = "maxdepth=2000;maxrefs=50000000";
  /** The filter of a codec with no allow-list: known gadgets refused, everything else accepted. */
  private static final String DENY_ONLY = DENY + ";" + LIMITS;
  /** The message of an exception sent as a {@link RemoteTaskException} is cut to this many characters. */
  private static final int MAX_FALLBACK_MESSAGE = 10_000;

  private static final ClassValue<Boolean> STATELESS = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        if (Arrays.stream(c.getDeclaredFields()).anyMatch(f -> !Modifier.isStatic(f.getModifiers()))) {
          return false;
        }
      }
      return true;
    }
  };

  private final ObjectInputFilter filter;
  private final int maxBodyBytes;
  /** How large a wire form (parts included) the transport takes beyond the body limit; null: none. */
  private volatile @Nullable LongSupplier largeWire;
  private final List<String> allowClasses;
  private final String destination;
  private final AtomicInteger uses = new AtomicInteger();
  @SuppressWarnings("unused") // accessed through WARM_STARTED
  private volatile boolean warmStarted;
  private volatile boolean switched; // writes go to Fory from now on
  /** Whether whoever reads this codec's output has its Fory reader built ({@link #switchOnlyWhenPeerReads}). */
  private volatile boolean peerReads = true;
  private static final java.lang.invoke.VarHandle WARM_STARTED;

  static {
    try {
      WARM_STARTED = java.lang.invoke.MethodHandles.lookup().findVarHandle(Codec.class, "warmStarted", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
  private final boolean foryEnabled;
  private final boolean foryAlways;
  private final ConcurrentHashMap<Class<?>, Encoded> encodedStateless = new ConcurrentHashMap<>();
  /** The keys of {@link #encodedStateless}'s values, by instance (an Encoded's array compares by identity). */
  private final ConcurrentHashMap<Encoded, Integer> sharedKeys = new ConcurrentHashMap<>();
  private final AtomicInteger nextSharedKey = new AtomicInteger();
  private final ConcurrentHashMap<BodyKey, Object> decodedStateless = new ConcurrentHashMap<>();
  /** The last stateless task decoded, by the instance of its encoding: a burst of one task skips the hashing. */
  private volatile @Nullable LastDecoded lastDecoded;

  private record LastDecoded(Encoded encoded, Object task) {}

  /**
   * A received task's tag and body, compared by content: the key of {@link #decodedStateless}. It wraps
   * the body instead of copying it into a String, which cost each task two copies of its body (some 2 KB
   * of a trivial task's 2.5 KB of garbage in a worker) and a hash over a fresh string.
   */
  private static final class BodyKey {
    private final byte tag;
    private final byte[] body;
    private final int hash;

    BodyKey(Encoded e) {
      this.tag = e.tag();
      this.body = e.body(); // never modified once received (see Encoded)
      this.hash = 31 * Arrays.hashCode(body) + tag;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof BodyKey k && k.hash == hash && k.tag == tag && Arrays.equals(k.body, body);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * Creates a codec.
   *
   * @param allowClasses class-name patterns decoding accepts besides JDK value types and unipool's own;
   *     empty accepts everything but known deserialization gadgets
   * @param destination where tasks go, for messages: e.g. "a worker process"
   */
  public Codec(List<String> allowClasses, String destination) {
    this(allowClasses, destination, MAX_BODY_BYTES);
  }

  /**
   * Creates a codec with a smaller size limit, so that tests need not allocate gigabytes.
   *
   * @param maxBodyBytes the largest encoded body, at most {@link #MAX_BODY_BYTES}
   */
  Codec(List<String> allowClasses, String destination, int maxBodyBytes) {
    if (maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_BYTES) {
      throw new IllegalArgumentException("maxBodyBytes must be between 1 and " + MAX_BODY_BYTES + ", got " + maxBodyBytes);
    }
    this.maxBodyBytes = maxBodyBytes;
    this.allowClasses = List.copyOf(allowClasses);
    this.destination = destination;
    String spec = allowClasses.isEmpty()
        ? DENY_ONLY
        : DENY + ";" + ALWAYS + ";" + String.join(";", allowClasses) + ";" + LIMITS + ";!*";
    this.filter = ObjectInputFilter.Config.createFilter(spec);
    String mode = System.getProperty(MODE_PROPERTY, "auto");
    switch (mode) {
      case "auto", "fory", "java" -> { }
      default -> throw new IllegalArgumentException(
          "-D" + MODE_PROPERTY + "=" + mode + " is not a codec; valid: auto, fory, java");
    }
    if (mode.equals("fory") && !FORY_PRESENT) {
      throw new IllegalStateException("-D" + MODE_PROPERTY + "=fory, but Apache Fory (org.apache.fory:fory-core)"
          + " is not on the class path");
    }
    this.foryEnabled = FORY_PRESENT && !mode.equals("java");
    this.foryAlways = mode.equals("fory");
    if (foryAlways) {
      // Built now, so that no task's run time (and timeout) includes starting Fory.
      ForyEngine.writer();
      ForyEngine.readerFor(this.allowClasses);
    }
  }

  /**
   * Counts an encoding or decoding of an object and starts Fory in the background at {@code warmAt}.
   * Readers start earlier than writers switch, so that the first Fory payload rarely waits for a reader.
   */
  private int countUse(int warmAt) {
    int n = uses.incrementAndGet();
    // ">=" with a flag, not "==": encodings and decodings share the counter, so an encoding may never
    // see exactly WARM_AFTER.
    if (n >= warmAt && foryEnabled && !warmStarted && WARM_STARTED.compareAndSet(this, false, true)) {
      ForyEngine.warmUpAsync(allowClasses);
    }
    return n;
  }

  /** Counts a decoding until the warm-up has started; decodings matter for nothing else. */
  private void noteDecode() {
    if (foryEnabled && !warmStarted) {
      countUse(WARM_AFTER / 2);
    }
  }

  /**
   * Whether this codec writes objects through Fory already, so that whoever decodes them needs Fory.
   *
   * @return true once it has switched (or always, with {@code -Dunipool.codec=fory})
   */
  public boolean writesFory() {
    return switched || foryAlways;
  }

  /**
   * Builds Fory's reader and writer now, in the calling thread, if this codec may use Fory. A new worker
   * of a pool that already sends Fory payloads calls it before it takes tasks, so that its first task's
   * decoding does not include building Fory (hundreds of milliseconds of CPU).
   */
  public void prepareFory() {
    if (foryEnabled) {
      ForyEngine.writer();
      ForyEngine.readerFor(allowClasses);
      WARM_STARTED.setVolatile(this, true);
    }
  }

  /**
   * Makes this codec switch its writes to Fory only after {@link #peerReadsFory} says the other side can
   * read them at once. Call it before the first use. Without it, the first Fory payload may find the reader
   * still building Fory (a few hundred milliseconds of CPU) and wait for it; with it, Java serialization
   * carries the traffic meanwhile. Has no effect with {@code -Dunipool.codec=fory}, where both sides build
   * Fory before they start.
   */
  public void switchOnlyWhenPeerReads() {
    peerReads = false;
  }

  /**
   * Says whether the other side has its Fory reader built (see {@link #switchOnlyWhenPeerReads}). Once this
   * codec has switched, it stays switched whatever is said later. Thread-safe.
   *
   * @param ready whether every reader of this codec's output has said it reads Fory
   */
  public void peerReadsFory(boolean ready) {
    peerReads = ready;
  }

  /**
   * Runs {@code action} once this side's Fory reader is built, so that the other side may be told: at once
   * if it is built, else in the thread that builds it. Never if this codec does not use Fory or building it
   * fails. Does not start the build (a few uses do, or {@link #prepareFory}). The action must not block.
   *
   * @param action what to run
   */
  public void onForyReaderBuilt(Runnable action) {
    if (foryEnabled) {
      ForyEngine.whenReaderBuilt(allowClasses, action);
    }
  }

  /** Whether this codec has started Fory's warm-up (for tests). */
  boolean warmUpStarted() {
    return warmStarted;
  }

  /** Counts a use and returns Fory's writer once this codec has been used enough and Fory is warm. */
  private boolean foryWriterReady() {
    if (switched) {
      return true; // no shared counter on the hot path once Fory is in use
    }
    int n = countUse(WARM_AFTER);
    boolean ready = foryAlways || (foryEnabled && n > WARM_AFTER && peerReads && ForyEngine.writerReady());
    if (ready) {
      switched = true;
    }
    return ready;
  }

  /**
   * Encodes a task in the submitting thread.
   *
   * @param task the task
   * @return its encoded form
   * @throws IllegalArgumentException if it does not serialize, naming the type and how to fix it
   */
  public Encoded encodeTask(Object task) {
    boolean stateless = STATELESS.get(task.getClass()) && task instanceof java.io.Serializable;
    if (stateless) {
      Encoded e = encodedStateless.get(task.getClass());
      if (e != null) {
        return e;
      }
    }
    try {
      Encoded e = encode(task, "task");
      if (stateless && encodedStateless.size() < 1024) {
        Encoded first = encodedStateless.putIfAbsent(task.getClass(), e);
        if (first != null) {
          return first; // another thread encoded the same class meanwhile: one shared instance per class
        }
        sharedKeys.put(e, nextSharedKey.getAndIncrement());
      }
      return e;
    } catch (NotSerializableException e) {
      throw new IllegalArgumentException(NotSerializable.message(task, e.getMessage(), destination), e);
    } catch (PayloadTooLargeException e) {
      throw new IllegalArgumentException("task " + describe(task) + " cannot be sent to " + destination + ": "
          + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("task " + describe(task) + " cannot be sent to " + destination + ": " + e, e);
    }
  }

  /**
   * A small number that stands for {@code e} if it is one of this codec's shared encodings: the instance
   * {@link #encodeTask} returns for every task of a stateless class (no fields, such as a lambda that
   * captures nothing), which nobody modifies. A transport may send such an encoding once per peer and
   * refer to it by its key afterwards. Keys start at 0 and are never reused within this codec.
   *
   * <p>Thread-safe; a map lookup by instance, no hashing of the bytes.
   *
   * @param e an encoded task
   * @return its key, or -1 if {@code e} is not a shared encoding of this codec
   */
  public int sharedKey(Encoded e) {
    Integer key = sharedKeys.get(e);
    return key == null ? -1 : key;
  }

  private static String describe(Object task) {
    return task.getClass().getName();
  }

  /**
   * Encodes a value, typically a task's result. A {@code byte[]} becomes its own body, without a copy:
   * the caller must not modify it until the encoded form has been sent.
   *
   * @param value the value
   * @return its encoded form
   * @throws NotSerializableException if it does not serialize, naming the class
   * @throws PayloadTooLargeException if its encoded form would exceed {@link #MAX_BODY_BYTES} (named a
   *     "result" in the message)
   * @throws IOException if it does not serialize for another reason
   */
  public Encoded encode(@Nullable Object value) throws IOException {
    return encode(value, "result");
  }

  private Encoded encode(@Nullable Object value, String what) throws IOException {
    // Type tests, not a pattern switch: the first pattern switch of a JVM has its dispatch class generated
    // at run time (5-12 ms on 2 cores), inside a new worker's first result.
    if (value == null) {
      return new Encoded(NULL, new byte[0]);
    } else if (value instanceof Integer i) {
      return new Encoded(INT, ByteBuffer.allocate(4).putInt(i).array());
    } else if (value instanceof Long l) {
      return new Encoded(LONG, ByteBuffer.allocate(8).putLong(l).array());
    } else if (value instanceof Double d) {
      return new Encoded(DOUBLE, ByteBuffer.allocate(8).putDouble(d).array());
    } else if (value instanceof Boolean b) {
      return new Encoded(BOOLEAN, new byte[] {(byte) (b ? 1 : 0)});
    } else if (value instanceof String str) {
      return new Encoded(STRING, utf8(str, what));
    } else if (value instanceof byte[] a) {
      return new Encoded(BYTES, checkSize(a, what));
    }
    return encodeObject(value, what);
  }

  private byte[] checkSize(byte[] body, String what) throws PayloadTooLargeException {
    if (body.length > maxBodyBytes) {
      throw new PayloadTooLargeException(what, body.length, true, maxBodyBytes);
    }
    return body;
  }

  /** The string's UTF-8 bytes, measured first when they might not fit (getBytes would fail without saying why). */
  private byte[] utf8(String s, String what) throws PayloadTooLargeException {
    if (3L * s.length() > maxBodyBytes) {
      long n = 0;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          n++;
        } else if (c < 0x800) {
          n += 2;
        } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          n += 4;
          i++;
        } else if (Character.isSurrogate(c)) {
          n++; // a lone surrogate becomes '?'
        } else {
          n += 3;
        }
      }
      if (n > maxBodyBytes) {
        throw new PayloadTooLargeException(what, n, true, maxBodyBytes);
      }
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Encoded encodeObject(Object value, String what) throws IOException {
    if (foryWriterReady()) {
      Encoded e = ForyEngine.serialize(value); // null also when Fory fails on a huge graph: Java decides
      if (e != null) {
        return checkWire(e, what);
      }
      // Java serialization decides: it writes what Fory cannot, and names the class if it cannot either.
    }
    return checkWire(encodeJava(value, what, maxBodyBytes), what);
  }

  /** Java serialization, primitive arrays of {@link #PART_MIN} bytes or more left out of the body as parts. */
  private static Encoded encodeJava(Object value, String what, int maxBodyBytes) throws IOException {
    PartsOutput out = new PartsOutput(new ChunkedOutput(what, maxBodyBytes));
    try (out) {
      out.writeObject(value);
    }
    return out.parts.isEmpty()
        ? new Encoded(JAVA, out.body.toByteArray())
        : new Encoded(JAVA_PARTS, out.body.toByteArray(), out.parts);
  }

  /** {@code e}, unless its wire form (parts included) exceeds the limit. */
  private Encoded checkWire(Encoded e, String what) throws PayloadTooLargeException {
    long n = e.wireLength();
    if (n > maxBodyBytes) {
      LongSupplier more = largeWire;
      long limit = more == null ? maxBodyBytes : Math.max(maxBodyBytes, more.getAsLong());
      if (n > limit) {
        throw new PayloadTooLargeException(what, n, true, limit);
      }
    }
    return e;
  }

  /**
   * Lets values whose wire form, their {@link Encoded#parts} included, exceeds the body limit through, up
   * to what {@code limit} says when such a value is encoded: for a transport that carries the parts
   * beside its frame rather than in one array (a process pool's shared memory, whose free room is the
   * limit). Bodies stay within {@link #MAX_BODY_BYTES}: only values with large primitive arrays can pass it.
   * Thread-safe; an encoding that races the call sees the old limit or the new one.
   *
   * @param limit the most bytes a wire form may have, asked only for a value over the body limit
   */
  public void allowLargeWire(LongSupplier limit) {
    this.largeWire = limit;
  }

  /**
   * Java serialization that leaves primitive arrays of {@link #PART_MIN} bytes or more out of the body, as
   * {@link PartRef}s, and collects them as parts: the first few tasks of a pool, and whatever Fory cannot
   * write, then cost no copy of their large arrays either.
   */
  private static final class PartsOutput extends ObjectOutputStream {
    final ChunkedOutput body;
    final List<Object> parts = new java.util.ArrayList<>(0);

    PartsOutput(ChunkedOutput body) throws IOException {
      super(body);
      this.body = body;
      enableReplaceObject(true);
    }

    @Override
    protected Object replaceObject(Object obj) {
      if (Parts.isLarge(obj)) { // called once per array: a shared one stays shared
        parts.add(obj);
        return new PartRef(parts.size() - 1);
      }
      return obj;
    }
  }

  /** Reads what {@link PartsOutput} wrote, putting each part back where its {@link PartRef} is. */
  private static final class PartsInput extends ObjectInputStream {
    private final List<Object> parts;

    PartsInput(byte[] body, List<Object> parts) throws IOException {
      super(new ByteArrayInputStream(body));
      this.parts = parts;
      enableResolveObject(true); // also without parts: a stray PartRef is refused here, not as a bad field value later
    }

    @Override
    protected Object resolveObject(Object obj) throws IOException {
      if (obj instanceof PartRef(int index)) {
        if (index < 0 || index >= parts.size()) {
          throw new StreamCorruptedException("a reference to part " + index + " of a payload that has " + parts.size());
        }
        return parts.get(index);
      }
      return obj;
    }
  }

  /**
   * Stands for a primitive array sent as a part, in a Java-serialization body.
   *
   * @param index the part's index
   */
  record PartRef(int index) implements java.io.Serializable {}

  private static byte[] javaBytes(Object value, String what, int limit) throws IOException {
    ChunkedOutput bytes = new ChunkedOutput(what, limit);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    return bytes.toByteArray();
  }

  /**
   * Whether a value with this tag is a plain value (null, a number, a boolean, a string or a byte array),
   * whose decoding runs no user code and never waits, so that it may be decoded on a thread that must not
   * block.
   *
   * @param tag the first byte of a joined form, or {@link Encoded#tag()}
   * @return true for plain values
   */
  public static boolean isPlain(byte tag) {
    return tag >= NULL && tag <= BOOLEAN;
  }

  /**
   * Decodes a value.
   *
   * @param e an encoded form from {@link #encode}
   * @return the value; a {@code byte[]} is the body itself
   * @throws IOException if the bytes are corrupt or name a class the allow-list or deny-list refuses
   * @throws ClassNotFoundException if a class is missing
   */
  public @Nullable Object decode(Encoded e) throws IOException, ClassNotFoundException {
    byte[] b = e.body();
    return switch (e.tag()) {
      case NULL -> null;
      case INT -> ByteBuffer.wrap(b).getInt();
      case LONG -> ByteBuffer.wrap(b).getLong();
      case DOUBLE -> ByteBuffer.wrap(b).getDouble();
      case BOOLEAN -> b.length > 0 && b[0] != 0;
      case STRING -> new String(b, StandardCharsets.UTF_8);
      case BYTES -> b;
      case JAVA, JAVA_PARTS -> {
        noteDecode();
        yield decodeJava(e, filter);
      }
      case FORY, PARTS -> decodeFory(e);
      default -> throw new StreamCorruptedException("unknown value tag " + e.tag());
    };
  }

  private static @Nullable Object decodeJava(Encoded e, ObjectInputFilter filter)
      throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new PartsInput(e.body(), e.parts())) {
      in.setObjectInputFilter(filter);
      return in.readObject();
    }
  }

  private @Nullable Object decodeFory(Encoded e) throws IOException {
    if (!FORY_PRESENT) {
      throw new InvalidClassException("the other side sent a Fory payload, but Apache Fory"
          + " (org.apache.fory:fory-core) is not on this side's class path");
    }
    noteDecode();
    return ForyEngine.deserialize(e, allowClasses);
  }

  /** What {@link #warmUpJava} sends through Java serialization: a lambda, as most tasks are. */
  private static final dev.unipool.SerializableCallable<Integer> WARM_UP_TASK = () -> 1;

  /**
   * Encodes and decodes a lambda through Java serialization once, the way codecs encode and decode tasks,
   * so that a process about to decode its first task pays serialization's one-time set-up now, in the
   * calling thread: class initialisation, the JDK's lookup of a logging backend over the whole class path
   * (for the deserialization filter), the first reflective calls. A new worker runs it beside its
   * connection's set-up, where a core is often idle; its first task then decodes without that set-up.
   *
   * <p>Best effort: on failure the first task pays the set-up, and reports its own failure if it has one.
   * Thread-safe; uses no codec's state.
   *
   * @return whether the lambda came back (false says only that the warm-up did not run through)
   */
  public static boolean warmUpJava() {
    try {
      Encoded e = encodeJava(WARM_UP_TASK, "a warm-up", MAX_BODY_BYTES);
      return decodeJava(e, ObjectInputFilter.Config.createFilter(DENY_ONLY))
          instanceof dev.unipool.SerializableCallable<?>;
    } catch (IOException | ClassNotFoundException | RuntimeException e) {
      return false; // e.g. a JVM-wide filter refusing lambdas: the first task meets it and says so
    }
  }

  /**
   * Decodes a value from {@code encode(value).joined()}.
   *
   * @param joined tag and body
   * @return the value
   * @throws IOException if corrupt or refused
   * @throws ClassNotFoundException if a class is missing
   */
  public @Nullable Object decodeJoined(byte[] joined) throws IOException, ClassNotFoundException {
    return decode(Encoded.split(joined));
  }

  /**
   * Decodes a task, reusing the instance for stateless ones: found by the encoding's instance if it is
   * the one decoded last (so a transport should pass a repeated task's encoding as one instance), else by
   * its bytes. Thread-safe.
   *
   * @param e the task's encoded form
   * @return the task
   * @throws IOException if corrupt or refused
   * @throws ClassNotFoundException if a class is missing
   */
  @SuppressWarnings("ReferenceEquality") // the instance is the point: equal bytes are checked by BodyKey below
  public Object decodeTask(Encoded e) throws IOException, ClassNotFoundException {
    LastDecoded last = lastDecoded;
    if (last != null && last.encoded() == e) {
      return last.task(); // the same instance again: a transport that keeps repeated tasks passes it so
    }
    BodyKey key = null;
    if (e.body().length <= 4096 && e.parts().isEmpty()) { // a task with parts has state: never cached
      key = new BodyKey(e);
      Object cached = decodedStateless.get(key);
      if (cached != null) {
        lastDecoded = new LastDecoded(e, cached);
        return cached;
      }
    }
    Object task = decode(e);
    if (task == null) {
      throw new StreamCorruptedException("null task");
    }
    if (key != null && STATELESS.get(task.getClass()) && decodedStateless.size() < 1024) {
      decodedStateless.put(key, task);
      lastDecoded = new LastDecoded(e, task);
    }
    return task;
  }

  /**
   * Encodes an exception thrown by a task: the exception itself when it serializes, otherwise a
   * {@link RemoteTaskException} with its class name, message and stack trace. Always Java serialization,
   * which keeps stack traces whatever constructors the exception class has.
   *
   * @param t the exception
   * @return its encoded form
   */
  public Encoded encodeThrowable(Throwable t) {
    try {
      return new Encoded(JAVA, javaBytes(t, "exception", maxBodyBytes));
    } catch (IOException | RuntimeException e) {
      String message = t.getMessage();
      if (message != null && message.length() > MAX_FALLBACK_MESSAGE) { // it may be why t was too large
        message = message.substring(0, MAX_FALLBACK_MESSAGE) + "... (" + message.length() + " characters in all)";
      }
      RemoteTaskException r = new RemoteTaskException(t.getClass().getName(), message, t.getStackTrace());
      try {
        return new Encoded(JAVA, javaBytes(r, "exception", maxBodyBytes));
      } catch (IOException e2) {
        throw new IllegalStateException("cannot encode even a RemoteTaskException", e2);
      }
    }
  }

  /**
   * Decodes an exception from {@link #encodeThrowable}; a decoding failure becomes a {@link RemoteTaskException}.
   *
   * @param e the encoded form
   * @return the exception
   */
  public Throwable decodeThrowable(Encoded e) {
    try {
      Object o = decode(e);
      if (o instanceof Throwable t) {
        return t;
      }
      return new IllegalStateException("worker sent a non-exception as a failure: " + o);
    } catch (IOException | ClassNotFoundException | RuntimeException x) {
      RemoteTaskException r = new RemoteTaskException(
          "unknown", "the task failed, but its exception could not be decoded here: " + x, new StackTraceElement[0]);
      r.initCause(x);
      return r;
    }
  }

  /**
   * Decodes an exception from {@code encodeThrowable(t).joined()}; a decoding failure becomes a
   * {@link RemoteTaskException}.
   *
   * @param joined tag and body
   * @return the exception
   */
  public Throwable decodeThrowableJoined(byte[] joined) {
    try {
      return decodeThrowable(Encoded.split(joined));
    } catch (StreamCorruptedException e) {
      return decodeThrowable(new Encoded((byte) -1, joined)); // an unknown tag: reported as undecodable
    }
  }
}
