package dev.unipool.process.internal;

import dev.unipool.remote.Codec;
import java.io.StreamCorruptedException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Repeated tasks sent by key: the two ends of {@link Frame.RunKept} and {@link Frame.RunAgain}. A task whose
 * encoding the codec shares ({@link Codec#sharedKey}: a stateless lambda, about 550 bytes in Java form) goes
 * to a worker whole once, then as a key of a few bytes; 100,000 tiny tasks at once were 57 MB through the
 * socket, each copied twice by the kernel, read into a new array and hashed by the worker.
 */
final class KeptTasks {
  private KeptTasks() {}

  /**
   * The parent's end, one per worker connection: which keys that worker keeps.
   *
   * <p>Threading: guarded by the pool's lock, under which frames to one worker are also queued, in the
   * order of {@link #runFrame} calls; so a worker has kept a key before it meets the key again.
   */
  static final class Sender {
    private final ToIntFunction<Codec.Encoded> sharedKey;
    private final BitSet sent = new BitSet();

    /** @param sharedKey the pool codec's {@link Codec#sharedKey} */
    Sender(ToIntFunction<Codec.Encoded> sharedKey) {
      this.sharedKey = sharedKey;
    }

    /**
     * The frame that runs a task: a shared encoding goes whole the first time ({@link Frame.RunKept}),
     * then as its key ({@link Frame.RunAgain}); any other task as a plain {@link Frame.Run}. The caller
     * must queue the frame it gets, in order.
     *
     * @param id the task's id
     * @param reportStart whether the worker reports the task's start
     * @param task its encoding
     * @return the frame to queue
     */
    Frame runFrame(long id, boolean reportStart, Codec.Encoded task) {
      int key = sharedKey.applyAsInt(task);
      if (key < 0 || key >= Frame.MAX_KEPT) {
        return new Frame.Run(id, reportStart, task);
      }
      if (sent.get(key)) {
        return new Frame.RunAgain(id, reportStart, key);
      }
      sent.set(key);
      return new Frame.RunKept(id, reportStart, key, task);
    }
  }

  /**
   * The worker's end: the tasks kept by key, which turns the parent's frames back into plain {@link
   * Frame.Run} frames as they are read. A repeated task then arrives as one encoding instance, which
   * {@link Codec#decodeTask} recognises without hashing its bytes.
   *
   * <p>Threading: not thread-safe; called only by the thread holding a {@link TaskLoop}'s reading role,
   * whose hand-over orders the calls.
   */
  static final class Receiver {
    private Codec.@Nullable Encoded[] byKey = new Codec.Encoded[16];

    /**
     * Resolves a frame just read: a {@code RunKept} is kept and becomes a {@code Run}, a {@code RunAgain}
     * becomes a {@code Run} of the task kept under its key, and every other frame (or null, the end of the
     * stream) is returned as it is.
     *
     * @param f the frame read, or null
     * @return the frame to act on
     * @throws StreamCorruptedException if a key is out of range, or a {@code RunAgain} names a key never kept
     */
    @Nullable Frame resolve(@Nullable Frame f) throws StreamCorruptedException {
      if (f instanceof Frame.RunAgain a) {
        Codec.Encoded task = a.key() >= 0 && a.key() < byKey.length ? byKey[a.key()] : null;
        if (task == null) {
          throw new StreamCorruptedException("task key " + a.key() + " was never sent");
        }
        return new Frame.Run(a.id(), a.reportStart(), task);
      }
      if (f instanceof Frame.RunKept k) {
        int key = k.key();
        if (key < 0 || key >= Frame.MAX_KEPT) {
          throw new StreamCorruptedException("task key " + key + " out of range");
        }
        if (key >= byKey.length) {
          byKey = Arrays.copyOf(byKey, Math.min(Frame.MAX_KEPT, Math.max(key + 1, 2 * byKey.length)));
        }
        byKey[key] = k.task();
        return new Frame.Run(k.id(), k.reportStart(), k.task());
      }
      return f;
    }
  }
}
