package dev.unipool.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A one-line progress bar for long waits, drawn only when stdout is a terminal.
 *
 * <p>While the bar is shown, {@link System#out} and {@link System#err} are replaced by relays that collect
 * bytes into lines; each complete line is printed whole above the bar: the bar is cleared, the line goes
 * to the stream it was written to, and the bar is redrawn, all under one lock. Lines that tasks print,
 * and the lines of worker processes (forwarded to whatever {@code System.out}/{@code System.err} is when
 * they arrive), therefore never collide with the bar, even when both streams are the same terminal.
 * The caller must not print to the terminal through other streams until {@link #close()}.
 */
final class ProgressBar implements Progress {
  private static final int WIDTH = 28;
  static final String CLEAR_LINE = "\r\033[K";

  private final String label;
  private final int total;
  private final AtomicInteger done = new AtomicInteger();
  private final long startNanos = System.nanoTime();
  private final PrintStream terminal;
  private final PrintStream errors;
  private final Object lock = new Object();
  private final Thread ticker;
  private final LineRelay outRelay;
  private final LineRelay errRelay;
  private boolean closed;

  private ProgressBar(String label, int total, PrintStream terminal, PrintStream errors) {
    this.label = label;
    this.total = total;
    this.terminal = terminal;
    this.errors = errors;
    this.outRelay = new LineRelay(terminal);
    this.errRelay = new LineRelay(errors);
    this.ticker = Thread.ofPlatform().daemon().name("unipool-progress").unstarted(this::tick);
  }

  /**
   * Shows a bar on {@code terminal}, which must be the current {@code System.out}; the current
   * {@code System.err} is relayed too. Both are restored by {@link #close()}.
   *
   * @param label what is counted
   * @param total how many steps make 100%, at least 1
   * @param terminal the terminal's stream
   */
  static ProgressBar show(String label, int total, PrintStream terminal) {
    ProgressBar bar = new ProgressBar(label, total, terminal, System.err);
    System.setOut(new PrintStream(bar.outRelay, true, terminal.charset()));
    System.setErr(new PrintStream(bar.errRelay, true, bar.errors.charset()));
    // Redraws the elapsed time even when nothing completes for a while.
    bar.ticker.start();
    bar.draw();
    return bar;
  }

  @Override
  public void step() {
    done.incrementAndGet();
    draw();
  }

  private void tick() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        TimeUnit.MILLISECONDS.sleep(200);
        draw();
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  private void draw() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      terminal.print(CLEAR_LINE + render());
      terminal.flush();
    }
  }

  private String render() {
    int n = Math.min(done.get(), total);
    int filled = (int) ((long) WIDTH * n / total);
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    return "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] "
        + n + "/" + total + " " + label + String.format("  %.1fs", seconds);
  }

  /** Prints one whole line to {@code target} where the bar is, then redraws the bar below it. */
  private void printAbove(PrintStream target, String line) {
    synchronized (lock) {
      if (closed) {
        target.println(line);
        target.flush();
      } else if (target == terminal) {
        terminal.print(CLEAR_LINE + line + "\n" + render()); // one write: no flicker
        terminal.flush();
      } else {
        terminal.print(CLEAR_LINE);
        terminal.flush();
        target.print(line + "\n");
        target.flush();
        terminal.print(render());
        terminal.flush();
      }
    }
  }

  @Override
  public void close() {
    ticker.interrupt();
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      System.setOut(terminal);
      System.setErr(errors);
      terminal.print(CLEAR_LINE);
      terminal.flush();
    }
    // Outside the lock: a relay takes its own lock before this one.
    outRelay.drain();
    errRelay.drain();
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
        printAbove(target, pending.toString(target.charset()));
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
