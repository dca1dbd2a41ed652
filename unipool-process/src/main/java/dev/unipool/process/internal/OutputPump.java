package dev.unipool.process.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Copies a worker's stdout or stderr line by line, optionally prefixed with the worker's name, and keeps
 * the last lines for crash reports.
 *
 * <p>Each line goes, whole, in one {@code println}, to the stream {@link System#out} (or {@link System#err})
 * is <em>when the line arrives</em>, not when the pool started: a worker prints where a thread of this JVM
 * would. A progress bar that swaps {@code System.out} for a relay printing above the bar then gets the
 * workers' lines too, instead of their overwriting the bar on the terminal captured earlier.
 */
final class OutputPump {
  private static final int TAIL_LINES = 20;

  /** The parent's current standard output. */
  static final Supplier<PrintStream> STDOUT = () -> System.out;

  /** The parent's current standard error. */
  static final Supplier<PrintStream> STDERR = () -> System.err;

  /** How long a dead worker's pipe may stay quiet before its output counts as complete. */
  private static final long QUIET_NANOS = 200_000_000;

  private final ArrayDeque<String> tail;
  private final Thread thread;
  private volatile long lastLineNanos = System.nanoTime();

  /**
   * Starts copying.
   *
   * @param sink where each line goes, looked up per line ({@link #STDOUT}, {@link #STDERR}), or null to keep
   *     only the tail
   * @param tail where the last lines go; shared by a worker's stdout and stderr pumps, since the JVM
   *     writes some fatal messages (such as an out-of-memory exit) to stdout
   */
  OutputPump(InputStream in, @Nullable Supplier<PrintStream> sink, String prefix, String threadName,
      ArrayDeque<String> tail) {
    this.tail = tail;
    this.thread = Thread.ofPlatform().daemon().name(threadName).start(() -> pump(in, sink, prefix));
  }

  private void pump(InputStream in, @Nullable Supplier<PrintStream> sink, String prefix) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lastLineNanos = System.nanoTime();
        synchronized (tail) {
          if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
          }
          tail.addLast(line);
        }
        if (sink != null) {
          sink.get().println(prefix + line); // one call: PrintStream keeps it whole against other writers
        }
      }
    } catch (IOException e) {
      // the process is gone; what we have is the tail
    }
  }

  /**
   * Waits briefly for the stream to end, so the tail includes the last words of a dead worker. Waits no
   * longer once the stream has been quiet for a moment: a process the worker started may still hold the
   * pipe open, but what the worker itself wrote is already in the pipe and read at once.
   */
  String tail(long waitMillis) {
    long now = System.nanoTime();
    long deadline = now + waitMillis * 1_000_000;
    long quietFrom = now;
    try {
      // Until the end of the stream, or until it has been quiet for a while since we started waiting
      // (long enough for a busy machine to schedule the pump), whichever comes first.
      while (thread.isAlive() && (now = System.nanoTime()) < deadline
          && now - Math.max(quietFrom, lastLineNanos) < QUIET_NANOS) {
        thread.join(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }
}
