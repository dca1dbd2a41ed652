package dev.unipool.cli;

import java.io.Console;

/** Progress of a long wait: a bar on a terminal, nothing otherwise (pipes, files, tests, {@code --json}). */
public interface Progress extends AutoCloseable {
  /** Records one finished step. */
  void step();

  /** Removes the bar; idempotent. */
  @Override
  void close();

  /** A progress that shows nothing. */
  Progress NONE = new Progress() {
    @Override
    public void step() {}

    @Override
    public void close() {}
  };

  /**
   * Starts a bar if {@code wanted} and stdout is a terminal, else returns {@link #NONE}.
   *
   * @param label what is counted, e.g. "downloads"
   * @param total how many steps make 100%
   * @param wanted false to suppress the bar (e.g. with {@code --json})
   */
  static Progress start(String label, int total, boolean wanted) {
    if (!wanted || total <= 0 || !stdoutIsTerminal()) {
      return NONE;
    }
    return BarProgress.show(label, total, System.out);
  }

  /** Whether stdout is an interactive terminal; since JDK 22 {@code System.console()} alone does not say. */
  @SuppressWarnings("SystemConsoleNull") // the null check is kept for consoles that are absent altogether
  static boolean stdoutIsTerminal() {
    Console console = System.console();
    return console != null && console.isTerminal();
  }
}
