package dev.unipool.remote;

import java.io.DataInput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The primitive arrays that may travel as {@link Codec.Encoded#parts}: {@code byte[]}, {@code short[]},
 * {@code char[]}, {@code int[]}, {@code long[]}, {@code float[]} and {@code double[]}. On the wire a part
 * is its elements, little-endian, so that on the machines unipool runs on (x86-64, AArch64) a copy into or
 * out of shared memory is a plain memory copy. ({@code boolean[]} is left out: the JDK has no bulk copy
 * for it.)
 */
final class Parts {
  private Parts() {}

  /**
   * The array type of each kind; a part's kind on the wire is its index here, and 0 is no part. The
   * kinds' numbers are wire format: append, never reorder.
   */
  private static final Class<?>[] TYPES = {
    null, byte[].class, short[].class, char[].class, int[].class, long[].class, float[].class, double[].class,
  };

  private static final ValueLayout[] LAYOUTS = {
    ValueLayout.JAVA_BYTE, // unused: kind 0
    ValueLayout.JAVA_BYTE,
    ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
    ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
    ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
    ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
    ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
    ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
  };

  /** The most bytes converted at once when a part that is not a {@code byte[]} goes through a stream. */
  private static final int CHUNK = 1 << 20;

  /**
   * The kind of an array that may be a part.
   *
   * @return 1 to 7, or 0 if {@code o} is not such an array
   */
  static int kind(Object o) {
    Class<?> c = o.getClass(); // exact classes: primitive array types have no subtypes
    for (int k = 1; k < TYPES.length; k++) {
      if (c == TYPES[k]) {
        return k;
      }
    }
    return 0;
  }

  /** Whether {@code kind} is one {@link #kind} returns for a part. */
  static boolean isKind(int kind) {
    return kind >= 1 && kind < TYPES.length;
  }

  /** The bytes one element of a part of this kind takes. */
  static int elementSize(int kind) {
    return (int) LAYOUTS[kind].byteSize();
  }

  /** The number of elements of a part. */
  static int length(Object part) {
    return java.lang.reflect.Array.getLength(part);
  }

  /** The bytes a part takes on the wire. */
  static long byteSize(Object part) {
    return (long) length(part) * elementSize(kind(part));
  }

  /** Whether {@code o} travels as a part: an array of one of the kinds, of {@link Codec#PART_MIN} bytes or more. */
  static boolean isLarge(Object o) {
    int k = kind(o);
    return k != 0 && (long) length(o) * elementSize(k) >= Codec.PART_MIN;
  }

  /** A new part of this kind and length, to read one into; {@code kind} must pass {@link #isKind}. */
  static Object allocate(int kind, int length) {
    return Array.newInstance(TYPES[kind].getComponentType(), length);
  }

  /** Copies a part's wire form into {@code dst} at {@code at}. */
  static void copy(Object part, MemorySegment dst, long at) {
    MemorySegment.copy(part, 0, dst, LAYOUTS[kind(part)], at, length(part));
  }

  /** Fills a part from its wire form in {@code src} at {@code at}. */
  static void copy(MemorySegment src, long at, Object part) {
    MemorySegment.copy(src, LAYOUTS[kind(part)], at, part, 0, length(part));
  }

  /**
   * Hands a part's wire form to {@code sink}: a {@code byte[]} as it is, other arrays converted a chunk at
   * a time into one reused buffer, which the sink must have consumed when it returns.
   */
  static void write(Object part, Codec.WireSink sink) throws IOException {
    if (part instanceof byte[] b) {
      sink.write(ByteBuffer.wrap(b));
      return;
    }
    ValueLayout layout = LAYOUTS[kind(part)];
    inChunks(part, (chunk, from, count, bytes) -> {
      MemorySegment.copy(part, from, MemorySegment.ofArray(chunk), layout, 0, count);
      sink.write(ByteBuffer.wrap(chunk, 0, bytes));
    });
  }

  /** Fills a part from its wire form in {@code in}. */
  static void read(DataInput in, Object part) throws IOException {
    if (part instanceof byte[] b) {
      in.readFully(b);
      return;
    }
    ValueLayout layout = LAYOUTS[kind(part)];
    inChunks(part, (chunk, from, count, bytes) -> {
      in.readFully(chunk, 0, bytes);
      MemorySegment.copy(MemorySegment.ofArray(chunk), layout, 0, part, from, count);
    });
  }

  /** One step of {@link #inChunks}: {@code count} elements from {@code from}, as {@code bytes} bytes of a chunk. */
  @FunctionalInterface
  private interface ChunkStep {
    void apply(byte[] chunk, int from, int count, int bytes) throws IOException;
  }

  /** Walks a part's elements in chunks of at most {@link #CHUNK} bytes, all through one buffer. */
  private static void inChunks(Object part, ChunkStep step) throws IOException {
    int size = elementSize(kind(part));
    int length = length(part);
    byte[] chunk = new byte[(int) Math.min(CHUNK, (long) length * size)];
    for (int i = 0; i < length; ) {
      int n = Math.min(length - i, chunk.length / size);
      step.apply(chunk, i, n, n * size);
      i += n;
    }
  }
}
