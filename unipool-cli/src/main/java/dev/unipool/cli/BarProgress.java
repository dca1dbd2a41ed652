package dev.unipool.cli;

import dev.unipool.ProgressBar;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CLI's progress for a known number of steps, drawn by the same {@link ProgressBar} that users get from
 * {@code MapOptions.progressBar()}: it relays {@code System.out} and {@code System.err} above itself, so
 * lines of tasks and worker processes never collide with it. What the CLI adds is a ticker that redraws the
 * elapsed time while nothing completes (a demo's first downloads can take seconds).
 *
 * <p>{@link #step()} may be called from any thread; {@link #close()} leaves the final bar on the screen.
 */
final class BarProgress implements Progress {
  private static final long TICK_MILLIS = 200;

  private final ProgressBar bar;
  private final int total;
  private final AtomicInteger done = new AtomicInteger();
  private final Thread ticker;
  private boolean closed; // guarded by this: a step or tick after close must not show the bar again

  private BarProgress(ProgressBar bar, int total) {
    this.bar = bar;
    this.total = total;
    this.ticker = Thread.ofPlatform().daemon().name("unipool-progress").unstarted(this::tick);
  }

  /**
   * Shows a bar on {@code terminal}, which must be the current {@code System.out}; restored by {@link #close()}.
   *
   * @param label what is counted
   * @param total how many steps make 100%, at least 1
   * @param terminal the terminal's stream
   * @return the running bar
   */
  static BarProgress show(String label, int total, PrintStream terminal) {
    BarProgress p = new BarProgress(ProgressBar.on(terminal, label), total);
    p.bar.onProgress(0, total);
    p.ticker.start();
    return p;
  }

  @Override
  public void step() {
    draw(done.incrementAndGet());
  }

  private synchronized void draw(int n) {
    if (!closed) {
      bar.onProgress(n, total);
    }
  }

  private void tick() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        TimeUnit.MILLISECONDS.sleep(TICK_MILLIS);
        draw(done.get());
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  @Override
  public synchronized void close() {
    ticker.interrupt();
    if (!closed) {
      closed = true;
      int n = done.get();
      bar.onFinish(n, total, n >= total);
    }
  }
}
