package dev.unipool;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A one-line progress bar for a {@code map} call: a ready {@link ProgressListener}
 * ({@link MapOptions#progressBar()}).
 *
 * <pre>
 * [#########-------------------]  3,412/10,000 items  4.1 s  832/s
 * </pre>
 *
 * <p>While the bar is shown, {@link System#out} and {@link System#err} are replaced by relays that collect
 * what is written into lines and print each complete line above the bar (clear the bar, print the line to
 * the stream it was written to, redraw), so lines that tasks, workers and other threads print never collide
 * with it. Partial lines wait for their newline; what is left is printed when the bar ends. At the end the
 * bar is drawn once more, complete or not, followed by a newline, and both streams are restored.
 *
 * <p>A bar serves one call at a time; a call that starts after the previous one ended starts a new bar.
 * Listener methods come from the consuming thread; the relays are thread-safe.
 */
public final class ProgressBar implements ProgressListener {
  private static final int WIDTH = 28;
  private static final String CLEAR_LINE = "\r\033[K";

  private final String label;
  private final @Nullable PrintStream fixedTerminal;
  private final Object lock = new Object();
  // guarded by lock:
  private boolean shown;
  private @Nullable PrintStream terminal;
  private @Nullable PrintStream errors;
  private @Nullable LineRelay outRelay;
  private @Nullable LineRelay errRelay;
  private long startNanos;
  private long done;
  private long total = -1;

  private ProgressBar(String label, @Nullable PrintStream terminal) {
    this.label = Objects.requireNonNull(label, "label");
    this.fixedTerminal = terminal;
  }

  /**
   * A bar counting "items", drawn on {@code System.out} only if it is a terminal (else the bar does nothing).
   *
   * @return a new bar
   */
  public static ProgressBar console() {
    return console("items");
  }

  /**
   * A bar drawn on {@code System.out} only if it is a terminal (else the bar does nothing).
   *
   * @param label what is counted, e.g. {@code pages}
   * @return a new bar
   */
  public static ProgressBar console(String label) {
    return new ProgressBar(label, null);
  }

  /**
   * A bar drawn on {@code terminal} whatever it is, which must be the current {@code System.out} while the
   * bar is shown (the bar relays {@code System.out} and {@code System.err} above itself).
   *
   * @param terminal where to draw
   * @param label what is counted
   * @return a new bar
   */
  public static ProgressBar on(PrintStream terminal, String label) {
    return new ProgressBar(label, Objects.requireNonNull(terminal, "terminal"));
  }

  @SuppressWarnings("SystemConsoleNull") // null when the JVM has no console; isTerminal() decides otherwise
  private static boolean isTerminal() {
    Console c = System.console();
    return c != null && c.isTerminal();
  }

  @Override
  public void onProgress(long done, long total) {
    synchronized (lock) {
      if (!shown && !show()) {
        return;
      }
      this.done = done;
      this.total = total;
      PrintStream t = terminal;
      if (t != null) {
        t.print(CLEAR_LINE + render());
        t.flush();
      }
    }
  }

  @Override
  public void onFinish(long done, long total, boolean completed) {
    LineRelay out;
    LineRelay err;
    synchronized (lock) {
      if (!shown) {
        return;
      }
      this.done = done;
      this.total = total;
      PrintStream t = java.util.Objects.requireNonNull(terminal);
      t.print(CLEAR_LINE + render() + (completed ? "" : "  (stopped)") + System.lineSeparator());
      t.flush();
      System.setOut(t);
      System.setErr(java.util.Objects.requireNonNull(errors));
      shown = false;
      out = outRelay;
      err = errRelay;
      outRelay = null;
      errRelay = null;
    }
    // Outside the lock: a relay takes its own lock before this one.
    if (out != null) {
      out.drain();
    }
    if (err != null) {
      err.drain();
    }
  }

  /** Starts showing: takes over System.out and System.err. Holding the lock. */
  private boolean show() {
    PrintStream t = fixedTerminal;
    if (t == null) {
      if (!isTerminal()) {
        return false;
      }
      t = System.out;
    }
    PrintStream e = System.err;
    terminal = t;
    errors = e;
    LineRelay o = new LineRelay(t);
    LineRelay r = new LineRelay(e);
    outRelay = o;
    errRelay = r;
    System.setOut(new PrintStream(o, true, t.charset()));
    System.setErr(new PrintStream(r, true, e.charset()));
    startNanos = System.nanoTime();
    shown = true;
    return true;
  }

  /** The bar's text for the current counts. Holding the lock. */
  private String render() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    String rate = seconds > 0.2 ? String.format(Locale.ROOT, "  %,.0f/s", done / seconds) : "";
    if (total < 0) {
      return String.format(Locale.ROOT, "[%s] %,d %s  %.1f s%s", "?".repeat(WIDTH), done, label, seconds, rate);
    }
    long n = Math.min(done, total);
    int filled = total == 0 ? WIDTH : (int) (WIDTH * n / total);
    return String.format(Locale.ROOT, "[%s%s] %,d/%,d %s  %.1f s%s",
        "#".repeat(filled), "-".repeat(WIDTH - filled), n, total, label, seconds, rate);
  }

  /** Prints one whole line to {@code target} where the bar is, then redraws the bar below it. */
  private void printAbove(PrintStream target, String line) {
    synchronized (lock) {
      PrintStream t = terminal;
      if (!shown || t == null) {
        target.println(line);
        target.flush();
      } else if (target == t) {
        t.print(CLEAR_LINE + line + System.lineSeparator() + render()); // one write: no flicker
        t.flush();
      } else {
        t.print(CLEAR_LINE);
        t.flush();
        target.print(line + System.lineSeparator());
        target.flush();
        t.print(render());
        t.flush();
      }
    }
  }

  /** Collects bytes written to a replaced stream into lines and prints each above the bar. */
  private final class LineRelay extends OutputStream {
    private final PrintStream target;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    LineRelay(PrintStream target) {
      this.target = target;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        int n = pending.size();
        String line = pending.toString(target.charset());
        if (n > 0 && line.endsWith("\r")) {
          line = line.substring(0, line.length() - 1);
        }
        printAbove(target, line);
        pending.reset();
      } else {
        pending.write(b);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    /** Prints a trailing partial line, if any, once the bar is gone. */
    synchronized void drain() {
      if (pending.size() > 0) {
        target.print(pending.toString(target.charset()));
        target.flush();
        pending.reset();
      }
    }

    @Override
    public synchronized void flush() {
      // Partial lines wait for their newline: printing them would break the bar.
    }
  }
}
