package dev.unipool.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A one-line progress bar for long waits, drawn only when stdout is a terminal.
 *
 * <p>While the bar is shown, {@link System#out} is replaced by a stream that clears the bar, prints each
 * complete line above it and redraws it, so lines that tasks print do not collide with the bar. The
 * caller must not print through other streams to the terminal until {@link #close()}.
 */
final class ProgressBar implements Progress {
  private static final int WIDTH = 28;
  private static final String CLEAR_LINE = "\r\033[K";

  private final String label;
  private final int total;
  private final AtomicInteger done = new AtomicInteger();
  private final long startNanos = System.nanoTime();
  private final PrintStream terminal;
  private final Object lock = new Object();
  private final Thread ticker;
  private final LineRelay relay = new LineRelay();
  private boolean closed;

  private ProgressBar(String label, int total, PrintStream terminal) {
    this.label = label;
    this.total = total;
    this.terminal = terminal;
    this.ticker = Thread.ofPlatform().daemon().name("unipool-progress").unstarted(this::tick);
  }

  /**
   * Shows a bar on {@code terminal}, which must be the current {@code System.out}.
   *
   * @param label what is counted
   * @param total how many steps make 100%, at least 1
   * @param terminal the terminal's stream
   */
  static ProgressBar show(String label, int total, PrintStream terminal) {
    ProgressBar bar = new ProgressBar(label, total, terminal);
    Charset charset = terminal.charset();
    System.setOut(new PrintStream(bar.relay, true, charset));
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

  private void printAbove(String line) {
    synchronized (lock) {
      if (closed) {
        terminal.println(line);
      } else {
        terminal.print(CLEAR_LINE + line + "\n" + render());
      }
      terminal.flush();
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
      terminal.print(CLEAR_LINE);
      terminal.flush();
    }
    // Outside the lock: the relay takes its own lock before this one.
    relay.drain();
  }

  /** Collects bytes written to {@code System.out} into lines and prints each above the bar. */
  private final class LineRelay extends OutputStream {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        printAbove(pending.toString(terminal.charset()));
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
        terminal.print(pending.toString(terminal.charset()));
        pending.reset();
      }
    }

    @Override
    public synchronized void flush() {
      // Partial lines wait for their newline: printing them would break the bar.
    }
  }
}
