package dev.unipool.process.internal;

import dev.unipool.remote.Codec;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;

/**
 * A reusable shared-memory region that carries large payloads one way between the parent and a worker,
 * in place of the socket: the writer copies a payload into it and sends a small reference in its frame
 * ({@link Frame}); the reader copies it out and marks the region free. Two copies, no system call per
 * chunk, and, since the region is reused, no page faults after its first use.
 *
 * <p>The region is a file in the pool's {@link ShmDir}, named {@code <worker pid>-<direction>-<generation>}.
 * It starts at the first large payload and is replaced by a larger generation when a payload does not fit;
 * the reader maps each generation when it first sees it and unlinks the file right away, so nothing is
 * left behind whichever side is killed later. Its first {@value #HEADER} bytes hold the busy flag: set by
 * the writer when it takes the region, cleared by the reader once it has copied the payload out. A payload
 * that finds the region busy (a second one sent before the first was read) travels through the socket,
 * unless it is too large for one socket frame: its writer then waits for the region
 * ({@link Out#takeWaiting}).
 */
final class Region {
  /** Payloads from this size go through a region; {@code -Dunipool.shm.threshold=BYTES} changes it. */
  static final int THRESHOLD = Integer.getInteger("unipool.shm.threshold", 1 << 20);
  /** The flag word, then padding so the data starts on a cache line of its own. */
  static final long HEADER = 64;
  private static final VarHandle FLAG = ValueLayout.JAVA_INT.varHandle();
  /** Regions grow in steps of this, so a series of slightly larger payloads does not remap each time. */
  private static final long STEP = 1 << 21;

  private Region() {}

  /**
   * How large a payload a region in {@code dir} could take now: the file system's free room, less a
   * region's rounding. Asked only for a payload too large for one socket frame, whose codec checks it
   * so that one that cannot fit fails as too large where it is encoded, not later as a lost connection.
   *
   * @param dir the pool's shared-memory directory
   * @return bytes, 0 if the directory is gone
   */
  static long room(Path dir) {
    try {
      return Math.max(0, Files.getFileStore(dir).getUsableSpace() - HEADER - 2 * STEP);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Closes an arena unless a thread is copying in it right now (a connection closed mid-copy). */
  private static void closeQuietly(Arena a) {
    try {
      a.close();
    } catch (IllegalStateException e) {
      // in use: the copying thread fails its copy or finishes; the mapping goes with this process
    }
  }

  /** Where a payload was put: what the reader needs to find it. */
  record Ticket(int generation, long capacity, long length, MemorySegment data) {
    /** Copies the payload's wire form in; called before the frame that refers to it is written. */
    void fill(Codec.Encoded payload) {
      payload.copyTo(data);
    }
  }

  /** The writing side. Its methods are called under its {@link FrameWriter}'s lock, or when closing. */
  static final class Out {
    private final Path dir;
    private final String prefix;
    private @Nullable Arena arena;
    private @Nullable MemorySegment region;
    private int generation;
    private boolean broken;

    /**
     * @param dir the pool's shared-memory directory
     * @param prefix the file names' start, {@code <worker pid>-<direction>-}
     */
    Out(Path dir, String prefix) {
      this.dir = dir;
      this.prefix = prefix;
    }

    /**
     * Takes the region for a payload of {@code length} bytes, growing it if needed.
     *
     * @return where to put it, or null if the region is busy or cannot be made (send through the socket)
     */
    synchronized @Nullable Ticket take(long length) {
      MemorySegment r = region;
      if (broken || (r != null && (int) FLAG.getAcquire(r, 0L) != 0)) {
        return null;
      }
      if (r == null || r.byteSize() < HEADER + length) {
        r = grow(HEADER + length);
        if (r == null) {
          return null;
        }
      }
      FLAG.setRelease(r, 0L, 1); // the reader clears it once it has read what this ticket carries
      return new Ticket(generation, r.byteSize(), length, r.asSlice(HEADER, length));
    }

    /**
     * As {@link #take}, for a payload only a region can carry: while the region is busy with an earlier
     * payload, waits until the reader has copied that one out. Polls every millisecond (the reader signals
     * through the shared flag only); a payload this large takes far longer to copy. Call without holding
     * any lock the reader's side may need.
     *
     * @return where to put it, or null if the region is broken or closed, or cannot grow to the length
     */
    @Nullable Ticket takeWaiting(long length) {
      boolean interrupted = false;
      try {
        while (true) {
          synchronized (this) {
            MemorySegment r = region;
            if (broken || r == null || (int) FLAG.getAcquire(r, 0L) == 0) {
              return take(length);
            }
          }
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            interrupted = true; // the payload must still go: keep waiting, and restore the flag after
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** A new, larger generation; the old one is free, so no copy is in flight in it. */
    private @Nullable MemorySegment grow(long needed) {
      long old = region == null ? 0 : region.byteSize();
      long capacity = Math.max(needed, old + old / 2);
      capacity = (capacity + STEP - 1) / STEP * STEP;
      try {
        // A mapping reserves no room: on a full /dev/shm (a container's default is 64 MB) the copy into it
        // would fault (SIGBUS) and cost the worker. This payload takes the socket instead.
        if (Files.getFileStore(dir).getUsableSpace() < capacity) {
          return null;
        }
      } catch (IOException e) {
        broken = true; // the directory is gone: the socket carries everything from now on
        return null;
      }
      Path file = dir.resolve(prefix + (generation + 1));
      Arena a = Arena.ofShared();
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        MemorySegment r = ch.map(FileChannel.MapMode.READ_WRITE, 0, capacity, a);
        release();
        arena = a;
        region = r;
        generation++;
        return r;
      } catch (IOException | RuntimeException e) {
        a.close();
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // the pool's cleanup gets it
        }
        broken = true; // no room, or the directory is gone: the socket carries everything from now on
        return null;
      }
    }

    private void release() {
      Arena a = arena;
      if (a != null) {
        arena = null;
        region = null;
        closeQuietly(a);
      }
    }

    /** Unmaps the region; its file was unlinked by the reader, or goes with the worker's files. */
    synchronized void close() {
      broken = true;
      release();
    }
  }

  /** The reading side: one thread reads, {@link #close} may come from another. */
  static final class In {
    private final Path dir;
    private final String prefix;
    private @Nullable Arena arena;
    private @Nullable MemorySegment region;
    private int generation;

    In(Path dir, String prefix) {
      this.dir = dir;
      this.prefix = prefix;
    }

    /**
     * Copies a payload out, each of its parts into an array of its own, and frees the region for the next
     * one.
     *
     * @param tag the payload's tag, which says whether it has parts
     * @throws StreamCorruptedException if the reference does not fit the region it names, or the payload's
     *     part table does not fit the payload
     * @throws IOException if the region's file cannot be mapped
     */
    synchronized Codec.Encoded read(byte tag, int gen, long capacity, long length) throws IOException {
      if (length < 0 || capacity < HEADER + length) {
        throw new StreamCorruptedException("bad shared-memory reference: " + length + " bytes in a region of " + capacity);
      }
      MemorySegment r = region;
      if (r == null || gen != generation) {
        r = map(gen, capacity);
      }
      Codec.Encoded e = Codec.Encoded.read(tag, r.asSlice(HEADER, length));
      FLAG.setRelease(r, 0L, 0);
      return e;
    }

    private MemorySegment map(int gen, long capacity) throws IOException {
      Path file = dir.resolve(prefix + gen);
      Arena a = Arena.ofShared();
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        if (ch.size() < capacity) {
          throw new StreamCorruptedException("shared-memory region " + file + " holds " + ch.size()
              + " bytes, the frame says " + capacity);
        }
        MemorySegment r = ch.map(FileChannel.MapMode.READ_WRITE, 0, capacity, a);
        Files.delete(file); // both sides have it mapped: the name is no longer needed, and cannot leak
        close();
        arena = a;
        region = r;
        generation = gen;
        return r;
      } catch (IOException | RuntimeException e) {
        a.close();
        throw e;
      }
    }

    /** Unmaps the region. */
    synchronized void close() {
      Arena a = arena;
      if (a != null) {
        arena = null;
        region = null;
        closeQuietly(a);
      }
    }
  }
}
