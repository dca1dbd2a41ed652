package dev.unipool.cli;

import dev.unipool.Pool;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --stats} option: after the report, each pool's {@link Pool#stats()} as a table (task counts,
 * then one line per worker: tasks, busy and idle time, serialization time, restarts, memory). A command
 * passes the pools it opens through {@link #watch} and calls {@link #print} at the end of its report.
 */
public final class StatsOption {
  @Option(
      names = "--stats",
      description = "After the report, print each pool's statistics: tasks, and per worker its tasks, busy/idle "
          + "time, serialization time, restarts and memory (not with --json).")
  boolean stats;

  private final List<Pool> pools = new ArrayList<>();

  /**
   * Remembers {@code pool} for {@link #print} if {@code --stats} was given.
   *
   * @param pool a pool the command opened
   * @return the same pool
   */
  public Pool watch(Pool pool) {
    if (stats) {
      pools.add(pool);
    }
    return pool;
  }

  /**
   * Prints the watched pools' statistics, read now (after they closed, their workers show as stopped).
   *
   * @param out where the report goes
   * @param human false for machine-readable output, where nothing is printed
   */
  public void print(PrintWriter out, boolean human) {
    if (!stats || !human) {
      return;
    }
    for (Pool p : pools) {
      out.println();
      out.print(p.stats().table());
    }
    out.flush();
  }
}
