package dev.unipool.process.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How far a worker got with its tasks, kept in a small memory-mapped file that outlives the worker: the
 * id of the last task it began decoding, and of the last one whose own code it began running.
 *
 * <p>Why: when a worker dies, the parent must tell the task that was running (it may be what killed the
 * worker, so re-running it uses up one of its retries) from tasks that had finished (their results, sent
 * in batches, died with the worker), from a task still being decoded (a fresh worker's first decode loads
 * classes for a long time, and a worker killed from outside meanwhile says nothing about that task), and
 * from tasks only prefetched (they never ran and are simply re-sent). The frames the parent has read do
 * not say which, and a message per task would cost a system call per task. A store into a shared mapping
 * costs nanoseconds, and the page stays readable after the process is killed, even by SIGKILL.
 *
 * @see Progress
 */
final class StartedMark {
  /**
   * A segment, not a MappedByteBuffer: mapping a buffer creates it reflectively, which in a fresh worker
   * spins ~30 method-handle classes (10-25 ms of start-up CPU); the foreign-memory path, which the
   * shared-memory regions need anyway, does not.
   */
  private final MemorySegment map;
  /** The machine's byte order: the parent, on the same machine, reads it back so ({@link #readAndDelete}). */
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  /**
   * What the file said after the worker's exit.
   *
   * @param began the last task it began decoding, or -1
   * @param running the last task whose code it began running, or -1
   */
  record Progress(long began, long running) {
    static final Progress NONE = new Progress(-1, -1);
  }

  private StartedMark(MemorySegment map) {
    this.map = map;
  }

  /**
   * The file a worker with this pid uses, beside the pool's socket in its private directory.
   *
   * @param socket the pool's socket
   * @param pid the worker's pid
   * @return the path
   */
  static Path file(Path socket, long pid) {
    return socket.resolveSibling("started-" + pid);
  }

  /**
   * Worker side: creates and maps the file, holding -1 (nothing started).
   *
   * @param file the path from {@link #file}
   * @return the mark
   * @throws IOException if the file cannot be created or mapped
   */
  static StartedMark create(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      // The global arena: the mapping lives as long as the worker, and must not depend on the collector.
      MemorySegment map = ch.map(FileChannel.MapMode.READ_WRITE, 0, 2 * Long.BYTES, Arena.global());
      map.set(LONG, 0, -1L);
      map.set(LONG, Long.BYTES, -1L);
      return new StartedMark(map);
    }
  }

  /**
   * Worker side: records that task {@code id} is being decoded now (decoding may run user code).
   *
   * @param id the task's id
   */
  void decoding(long id) {
    map.set(LONG, 0, id);
    // Whatever the task does next (its own stores, a system call, a crash) must not be ordered before it.
    VarHandle.storeStoreFence();
  }

  /**
   * Worker side: records that task {@code id}, decoded, is being run now.
   *
   * @param id the task's id
   */
  void running(long id) {
    map.set(LONG, Long.BYTES, id);
    VarHandle.storeStoreFence();
  }

  /**
   * Parent side, after the worker exited: how far it got, and deletes the file.
   *
   * @param file the path from {@link #file}
   * @return its progress; {@link Progress#NONE} if it never created the file
   */
  static Progress readAndDelete(Path file) {
    try {
      byte[] b = Files.readAllBytes(file);
      Files.deleteIfExists(file);
      if (b.length < 2 * Long.BYTES) {
        return Progress.NONE;
      }
      ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
      return new Progress(buf.getLong(0), buf.getLong(Long.BYTES));
    } catch (IOException e) {
      return Progress.NONE; // never created: the worker died before it could run anything
    }
  }
}
