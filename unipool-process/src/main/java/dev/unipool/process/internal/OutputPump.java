package dev.unipool.process.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * Copies a worker's stdout or stderr line by line, optionally prefixed with the worker's name, and keeps
 * the last lines for crash reports.
 */
final class OutputPump {
  private static final int TAIL_LINES = 20;

  private final ArrayDeque<String> tail;
  private final Thread thread;

  /**
   * Starts copying.
   *
   * @param tail where the last lines go; shared by a worker's stdout and stderr pumps, since the JVM
   *     writes some fatal messages (such as an out-of-memory exit) to stdout
   */
  OutputPump(InputStream in, @Nullable PrintStream sink, String prefix, String threadName, ArrayDeque<String> tail) {
    this.tail = tail;
    this.thread = Thread.ofPlatform().daemon().name(threadName).start(() -> pump(in, sink, prefix));
  }

  private void pump(InputStream in, @Nullable PrintStream sink, String prefix) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (tail) {
          if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
          }
          tail.addLast(line);
        }
        if (sink != null) {
          sink.println(prefix + line);
        }
      }
    } catch (IOException e) {
      // the process is gone; what we have is the tail
    }
  }

  /** Waits briefly for the stream to end, so the tail includes the last words of a dying worker. */
  String tail(long waitMillis) {
    try {
      thread.join(waitMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }
}
