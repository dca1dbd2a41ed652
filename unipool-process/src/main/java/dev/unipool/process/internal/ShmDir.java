package dev.unipool.process.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A pool's private directory for shared memory: the {@link Region}s that carry large payloads, and the
 * files behind {@code pool.share(...)}. In {@code /dev/shm} (memory, never disk) when it exists, else in
 * {@code java.io.tmpdir}; owner-only.
 *
 * <p>Nothing in it outlives the pool: region files are deleted as soon as their reader mapped them, a dead
 * worker's files when it exits, and the directory when the pool terminates or this JVM exits. A parent
 * killed with SIGKILL can run none of that: the next pool of this user sweeps directories whose owner
 * process is gone (their names carry its pid). Thread-safe.
 */
final class ShmDir {
  /** Off with {@code -Dunipool.shm=false}: every payload then travels through the socket. */
  static final boolean ENABLED = !"false".equals(System.getProperty("unipool.shm"));
  private static final String PREFIX = "unipool-shm-";
  private static final Set<ShmDir> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(ShmDir::delete), "unipool-shm-cleanup"));
  }

  final Path path;
  private final AtomicLong shares = new AtomicLong();

  private ShmDir(Path path) {
    this.path = path;
  }

  /**
   * Creates a pool's directory, after sweeping those of dead processes.
   *
   * @return the directory, or null if shared memory is turned off or no directory could be made (payloads
   *     then use the socket, and {@code share} says why it fails)
   */
  static @Nullable ShmDir create() {
    if (!ENABLED) {
      return null;
    }
    Path shm = Path.of("/dev/shm");
    Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    sweep(base);
    try {
      Path dir = Files.createTempDirectory(base, PREFIX + ProcessHandle.current().pid() + "-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      ShmDir d = new ShmDir(dir);
      OPEN.add(d);
      return d;
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  /** Deletes directories left by pools whose JVM died without cleaning up (SIGKILL). */
  private static void sweep(Path base) {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(base, PREFIX + "*")) {
      for (Path p : ds) {
        String rest = p.getFileName().toString().substring(PREFIX.length());
        int dash = rest.indexOf('-');
        try {
          long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
          if (ProcessHandle.of(pid).isEmpty()) {
            deleteTree(p);
          }
        } catch (NumberFormatException e) {
          // not one of ours
        }
      }
    } catch (IOException | RuntimeException e) {
      // best effort: another user's directory, or a race with its owner
    }
  }

  /** Deletes a directory's files, then the directory; quietly, since a reader may unlink a file meanwhile. */
  private static void deleteTree(Path dir) {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      // gone already, or not ours
    }
    try {
      Files.deleteIfExists(dir);
    } catch (IOException | RuntimeException e) {
      // not empty: something raced with us; the next sweep gets it
    }
  }

  /** Deletes a dead worker's region files: those it or its reader had not unlinked yet. */
  void deleteWorkerFiles(long pid) {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(path, pid + "-*")) {
      for (Path p : ds) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      // the directory is gone: the pool terminated
    }
  }

  /**
   * Copies {@code data} into a new file here and maps it read-only, for {@code pool.share}.
   *
   * @param data the bytes
   * @param arena the arena that owns the mapping
   * @return the file and the mapping
   * @throws IOException if the file cannot be made (no room in {@code /dev/shm}, say)
   */
  Mapped share(MemorySegment data, Arena arena) throws IOException {
    Path file = path.resolve("share-" + shares.incrementAndGet());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      // Written, not copied into a mapping: the kernel then allocates the file's pages inside write(), a
      // megabyte per call, instead of taking a page fault for each 4 KiB page the copy touches. A gigabyte
      // took 4.2-5.5 s through a mapping here and 0.3-2.7 s through write() (2 cores, a VM where a fault
      // costs ~10 us); and a full /dev/shm is an IOException (no room), not a SIGBUS in the middle of a copy.
      // This JVM's own mapping comes after, read-only, and costs only where this JVM reads.
      long size = data.byteSize();
      for (long at = 0; at < size; ) {
        ByteBuffer chunk = data.asSlice(at, Math.min(WRITE_CHUNK, size - at)).asByteBuffer();
        while (chunk.hasRemaining()) {
          at += ch.write(chunk, at);
        }
      }
      MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      return new Mapped(file, m.asReadOnly());
    } catch (IOException | RuntimeException | InternalError e) {
      // InternalError: the JVM's answer to SIGBUS, should the file shrink under the mapping
      Files.deleteIfExists(file);
      throw e instanceof IOException io ? io : new IOException("cannot write " + data.byteSize() + " bytes to " + file
          + " (is " + path.getParent() + " full?): " + e, e);
    }
  }

  /** What one write() call of {@link #share} hands the kernel: large enough that calls cost nothing. */
  private static final long WRITE_CHUNK = 1 << 20;

  /** A file made by {@link #share} and this JVM's mapping of it. */
  record Mapped(Path file, MemorySegment segment) {}

  /** Deletes the directory and everything in it; mappings stay valid until unmapped. Idempotent. */
  void delete() {
    OPEN.remove(this);
    deleteTree(path);
  }
}
