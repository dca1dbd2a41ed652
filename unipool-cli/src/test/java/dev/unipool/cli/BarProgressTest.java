package dev.unipool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Futures;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every line printed while the CLI's bar is up, by this JVM or by a worker process, on stdout or stderr, ends up
 * above the bar, whole. Regression: worker lines went to the {@code System.out} captured when the pool
 * started, straight onto the terminal, and left lines like {@code [####----] 1/6 downloads  1.1s[worker-2]
 * Getting title from ...} in the scrollback.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BarProgressTest {
  private static final int TASKS = 4;
  private static final String CLEAR_LINE = "\r\033[K";

  @Test
  void parentAndWorkerLines_onStdoutAndStderr_goAboveTheBarWhole() throws Exception {
    // One device behind both streams, as a terminal is behind a program's stdout and stderr.
    ByteArrayOutputStream tty = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(tty, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(tty, true, StandardCharsets.UTF_8);
    List<String> expected = new ArrayList<>(List.of("parent line", "parent error line"));
    for (int i = 0; i < TASKS; i++) {
      expected.add("[worker] out " + i);
      expected.add("[worker] err " + i);
    }
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(out);
    System.setErr(err);
    try (Pool pool = Pool.of(Backend.processes(2))) { // started before the bar, as the demos do
      BarProgress bar = BarProgress.show("tasks", TASKS, out);
      try {
        List<TaskFuture<Integer>> work = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
          int n = i;
          work.add(pool.submit(() -> {
            System.out.println("out " + n);
            System.err.println("err " + n);
            return n;
          }));
        }
        System.out.println("parent line");
        System.err.println("parent error line");
        for (TaskFuture<Integer> ignored : Futures.asCompleted(work)) {
          bar.step();
        }
        // Worker lines are forwarded by the pool's own threads, after the results: wait until all arrived.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (visibleLines(tty).size() < expected.size() && System.nanoTime() < deadline) {
          Thread.sleep(10); // polling the captured terminal, bounded by the deadline
        }
      } finally {
        bar.close();
      }
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }

    String screen = tty.toString(StandardCharsets.UTF_8);
    List<String> visible = visibleLines(tty);
    List<String> lines = visible.subList(0, visible.size() - 1).stream()
        .map(l -> l.replaceFirst("^\\[worker-\\d+\\] ", "[worker] "))
        .sorted()
        .toList();
    assertEquals(expected.stream().sorted().toList(), lines, () -> "what the terminal shows:\n" + screen);
    String last = visible.get(visible.size() - 1);
    assertTrue(last.startsWith("[" + "#".repeat(28) + "] 4/4 tasks"), "the complete bar stays, last: " + screen);
  }

  /**
   * The lines a terminal leaves in its scrollback: each newline-terminated piece, as it looks after the
   * last "clear line" before it (the bar drawn and cleared in between leaves nothing behind).
   */
  private static List<String> visibleLines(ByteArrayOutputStream tty) {
    String text = tty.toString(StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      String piece = text.substring(start, nl);
      int clear = piece.lastIndexOf(CLEAR_LINE);
      lines.add(clear < 0 ? piece : piece.substring(clear + CLEAR_LINE.length()));
      start = nl + 1;
    }
    return lines;
  }
}
