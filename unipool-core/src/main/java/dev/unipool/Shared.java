package dev.unipool;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A large read-only input that every task of a pool reads without copying: made by {@link Pool#share},
 * captured by tasks like any other value, read through {@link #segment()}.
 *
 * <pre>{@code
 * try (Pool pool = Pool.of(Backend.processes(4)); Shared table = pool.share(bytes)) {
 *   List<Long> sums = pool.map(i -> sum(table.segment(), i), List.of(0, 1, 2, 3));
 * }
 * }</pre>
 *
 * <p>The handle itself is small: sending it to a worker process costs a file name and a size, whatever the
 * data's size. On worker processes the data lives in a file in {@code /dev/shm} (or {@code java.io.tmpdir}
 * where there is none), which each worker JVM maps once, the first time one of its tasks calls
 * {@link #segment()}; later calls, from any task or thread of that worker, return the same mapping. On
 * in-process backends the segment is the caller's own memory: nothing is copied anywhere.
 *
 * <p>Lifetime: the data stays readable until {@link #close()} is called or the pool that made the handle
 * terminates (its {@code close()} returns), whichever comes first; after that {@link #segment()} throws
 * {@link IllegalStateException} on the side that made the handle, worker processes that had not mapped it
 * yet cannot any more, and each worker that had unmaps it, freeing the memory behind it, the next time it
 * is between tasks (it looks at most every 100 ms); a task that still reads closed data then fails with
 * {@link IllegalStateException}, never with a crash. A handle made by
 * an in-process pool cannot leave its JVM: serializing it fails with a {@link NotSerializableException}.
 * Callers must not modify an array or segment after sharing it: on in-process backends tasks see it as it
 * is, with no copy.
 *
 * <p>Thread-safe.
 */
public final class Shared implements Serializable, AutoCloseable {
  @Serial private static final long serialVersionUID = 1L;

  /** A worker JVM's mappings, by file: one per file and process, made by the first task that reads it. */
  private static final ConcurrentHashMap<String, Mapping> MAPPED = new ConcurrentHashMap<>();
  /** How often, at most, {@link #releaseClosed} looks for closed data: a file-system check per mapping. */
  private static final long RELEASE_CHECK_MILLIS = 100;
  /** When {@link #releaseClosed} last looked ({@link System#nanoTime}); a race only adds a check. */
  private static volatile long lastReleaseCheck = System.nanoTime() - RELEASE_CHECK_MILLIS * 1_000_000;

  /** A worker's mapping of a shared file, in an arena of its own so that it can be unmapped alone. */
  private record Mapping(MemorySegment segment, Arena arena) {}

  /** The file holding the data, or null for an in-process handle. */
  private final @Nullable String file;
  /** The data's size in bytes. */
  private final long byteSize;
  /** The maker's view: the caller's memory (in-process) or the maker's mapping of the file. */
  private final transient @Nullable MemorySegment local;
  private final transient @Nullable Consumer<Shared> onClose;
  private transient volatile boolean closed;

  private Shared(@Nullable String file, long byteSize, @Nullable MemorySegment local, @Nullable Consumer<Shared> onClose) {
    this.file = file;
    this.byteSize = byteSize;
    this.local = local;
    this.onClose = onClose;
  }

  /**
   * For pool implementations: a handle on memory that never leaves this JVM. Applications call
   * {@link Pool#share} instead.
   *
   * @param data the memory tasks read, returned read-only by {@link #segment()}
   * @param onClose run once by the first {@link #close()}, given this handle
   * @return the handle
   */
  public static Shared inProcess(MemorySegment data, Consumer<Shared> onClose) {
    return new Shared(null, data.byteSize(), data.asReadOnly(), Objects.requireNonNull(onClose, "onClose"));
  }

  /**
   * For pool implementations: a handle on a file that worker processes map. Applications call
   * {@link Pool#share} instead.
   *
   * @param file the file holding exactly the data, readable by the workers
   * @param mapping this JVM's mapping of the file
   * @param onClose run once by the first {@link #close()}, given this handle; it should delete the file
   * @return the handle
   */
  public static Shared mapped(Path file, MemorySegment mapping, Consumer<Shared> onClose) {
    return new Shared(file.toString(), mapping.byteSize(), mapping.asReadOnly(), Objects.requireNonNull(onClose, "onClose"));
  }

  /**
   * The data, read-only. In a worker process the first call maps the file (once per process); later calls
   * return the same mapping.
   *
   * @return a read-only segment of {@link #byteSize()} bytes
   * @throws IllegalStateException if the handle was closed or its pool has terminated
   */
  public MemorySegment segment() {
    MemorySegment l = local;
    if (l != null) {
      if (closed) {
        throw new IllegalStateException("this Shared was closed (by close() or by closing its pool): share the data"
            + " again with pool.share(...) if tasks still need it");
      }
      return l;
    }
    String f = Objects.requireNonNull(file, "file"); // a copy without a local view was made from a file
    Mapping m = MAPPED.get(f);
    return (m != null ? m : MAPPED.computeIfAbsent(f, Shared::map)).segment();
  }

  private static Mapping map(String file) {
    // A shared arena: closing it (releaseClosed) while another thread reads makes that read throw
    // IllegalStateException instead of touching unmapped memory.
    Arena arena = Arena.ofShared();
    try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.READ)) {
      return new Mapping(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena).asReadOnly(), arena);
    } catch (NoSuchFileException e) {
      arena.close();
      throw new IllegalStateException("the Shared data at " + file + " is gone: its handle was closed or its"
          + " pool terminated before this task read it; keep both open while tasks use it", e);
    } catch (IOException e) {
      arena.close();
      throw new IllegalStateException("cannot map the Shared data at " + file + ": " + e, e);
    }
  }

  /**
   * For pool implementations, in a worker process between tasks: unmaps the data of handles that were
   * closed, or whose pool terminated, since the maker deleted their files. Without it each worker would
   * keep every closed handle's memory until it exits: a gigabyte per {@code share} call of a long-lived
   * pool. Looks at most every 100 ms, and only when this JVM has mapped something; otherwise returns at once.
   *
   * <p>Thread-safe. A thread that still reads closed data (a task running on after its handle's close)
   * gets {@link IllegalStateException} from that read.
   *
   * @return how many mappings it released
   */
  public static int releaseClosed() {
    if (MAPPED.isEmpty()) {
      return 0;
    }
    long now = System.nanoTime();
    if (now - lastReleaseCheck < RELEASE_CHECK_MILLIS * 1_000_000) {
      return 0;
    }
    lastReleaseCheck = now;
    int released = 0;
    for (var e : MAPPED.entrySet()) {
      if (!Files.exists(Path.of(e.getKey())) && MAPPED.remove(e.getKey(), e.getValue())) {
        try {
          e.getValue().arena().close();
          released++;
        } catch (IllegalStateException inUse) {
          MAPPED.putIfAbsent(e.getKey(), e.getValue()); // held by a running access: the next check closes it
        }
      }
    }
    return released;
  }

  /**
   * The data's size in bytes.
   *
   * @return the size
   */
  public long byteSize() {
    return byteSize;
  }

  /**
   * Releases the data: on the side that made the handle, {@link #segment()} fails from now on and the
   * backing file (if any) is deleted. Idempotent. On a copy a task received, does nothing: only the maker
   * releases the data. A worker process that had mapped the data unmaps it the next time it is between
   * tasks (see the class comment).
   */
  @Override
  public void close() {
    Consumer<Shared> r = onClose;
    if (r == null || closed) {
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    r.accept(this);
  }

  /**
   * Writes the file name and size; refuses an in-process handle, whose data cannot leave this JVM.
   *
   * @param out the stream
   * @throws NotSerializableException for a handle made by an in-process pool
   * @throws IOException if the stream fails
   */
  @Serial
  private void writeObject(ObjectOutputStream out) throws IOException {
    if (file == null) {
      throw new NotSerializableException("dev.unipool.Shared made by an in-process pool cannot leave its JVM;"
          + " share the data with pool.share(...) of the pool that runs the task");
    }
    out.defaultWriteObject();
  }

  /**
   * Reads the file name and size; the mapping is made on first use.
   *
   * @param in the stream
   * @throws java.io.InvalidObjectException if there is no file
   * @throws IOException if the stream fails
   * @throws ClassNotFoundException never, in practice (only JDK types)
   */
  @Serial
  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    if (file == null || byteSize < 0) {
      throw new java.io.InvalidObjectException("a Shared without a file");
    }
  }

  @Override
  public String toString() {
    return "Shared[" + byteSize + " bytes" + (file == null ? ", in-process" : ", " + file) + (closed ? ", closed" : "") + "]";
  }
}
