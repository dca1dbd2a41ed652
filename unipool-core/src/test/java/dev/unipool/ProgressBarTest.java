package dev.unipool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errScreen = new ByteArrayOutputStream();
  private final PrintStream terminal = new PrintStream(screen, true, StandardCharsets.UTF_8);
  private final PrintStream errors = new PrintStream(errScreen, true, StandardCharsets.UTF_8);
  private PrintStream savedOut = System.out;
  private PrintStream savedErr = System.err;

  @BeforeEach
  void useFakeTerminal() {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(terminal);
    System.setErr(errors);
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  private String screen() {
    return screen.toString(StandardCharsets.UTF_8);
  }

  @Test
  void bar_drawsCountsAndEndsWithTheFinalLine() {
    ProgressBar bar = ProgressBar.on(terminal, "pages");
    bar.onProgress(0, 10);
    bar.onProgress(5, 10);
    bar.onFinish(10, 10, true);
    String s = screen();
    assertTrue(s.contains("[##############--------------] 5/10 pages"), s);
    String last = s.substring(s.lastIndexOf('\r') + 1);
    assertTrue(last.startsWith("\033[K[############################] 10/10 pages"), last);
    assertTrue(last.endsWith(System.lineSeparator()), "the final bar stays, on a line of its own");
    assertSame(terminal, System.out, "System.out restored");
    assertSame(errors, System.err, "System.err restored");
  }

  @Test
  void linesPrintedWhileShown_goAboveTheBar_whole() throws Exception {
    ProgressBar bar = ProgressBar.on(terminal, "items");
    bar.onProgress(1, 4);
    Thread other = new Thread(() -> {
      System.out.print("a line ");
      System.out.println("from a task");
      System.err.println("a warning");
    });
    other.start();
    other.join();
    bar.onProgress(2, 4);
    System.out.print("partial");
    bar.onFinish(4, 4, true);
    String s = screen();
    int line = s.indexOf("a line from a task" + System.lineSeparator());
    assertTrue(line > 0, s);
    assertTrue(s.substring(0, line).endsWith("\r\033[K"), "the bar is cleared before the line: " + s);
    assertTrue(s.indexOf("1/4 items", line) > line, "and drawn again below it: " + s);
    assertEquals("a warning" + System.lineSeparator(), errScreen.toString(StandardCharsets.UTF_8));
    assertTrue(s.endsWith("partial"), "a partial line is printed once the bar is gone: " + s);
  }

  @Test
  void unknownTotal_showsTheCountOnly_andAStoppedCallSaysSo() {
    ProgressBar bar = ProgressBar.on(terminal, "rows");
    bar.onProgress(0, -1);
    bar.onProgress(7, -1);
    bar.onFinish(7, -1, false);
    String s = screen();
    assertTrue(s.contains("] 7 rows"), s);
    assertTrue(s.contains("(stopped)" + System.lineSeparator()), s);
    assertFalse(s.contains("7/"), s);
  }

  @Test
  void aBarCanServeOneCallAfterAnother() {
    ProgressBar bar = ProgressBar.on(terminal, "items");
    bar.onProgress(0, 2);
    bar.onFinish(2, 2, true);
    bar.onProgress(0, 3);
    bar.onFinish(3, 3, true);
    String s = screen();
    assertTrue(s.contains("2/2 items") && s.contains("3/3 items"), s);
    assertSame(terminal, System.out);
  }

  @Test
  void console_withoutATerminal_drawsNothing() {
    ProgressBar bar = ProgressBar.console(); // the test JVM's stdout is not a terminal
    bar.onProgress(0, 2);
    bar.onFinish(2, 2, true);
    assertEquals("", screen());
    assertSame(terminal, System.out);
  }
}
