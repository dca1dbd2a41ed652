package dev.unipool.cli;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The {@code --backend} and {@code --workers} options shared by the demos. Backends are only ever named
 * through {@link Backend#parse(String)} and opened through {@link Pool#of(Backend)}, so a backend kind
 * that core learns to parse works here with no change to the command.
 */
public final class PoolChoice {
  /** Backend kinds whose text form takes a worker count ({@code kind:N}); extend as kinds are added. */
  private static final Set<String> COUNTED_KINDS = Set.of("threads", "processes");

  @Option(
      names = {"-b", "--backend"},
      paramLabel = "B",
      description = "How tasks run: " + Backend.VALID_FORMS + ". Default: ${DEFAULT-VALUE}.",
      defaultValue = "threads")
  String backend = "threads";

  @Option(
      names = {"-w", "--workers"},
      paramLabel = "N",
      description = "Worker count, for backends that take one (threads, processes). Default: one per core.")
  @Nullable Integer workers;

  @Option(
      names = {"-j", "--join"},
      paramLabel = "[NAME@]HOST:PORT[,...]",
      description = "Cluster members to connect to, with --backend cluster (start one with: unipool member)."
          + " NAME is their cluster name; without it, the one unipool member generated for you.")
  @Nullable String join;

  /**
   * The backend the options name; {@code --backend cluster --join a:1,b:2} means {@code cluster:a:1,b:2}.
   *
   * @throws UsageException if {@code --workers} is below 1, {@code --join} comes without
   *     {@code --backend cluster}, or {@code --backend} names no backend
   */
  Backend backend() {
    String spec = backend;
    if (join != null) {
      if (!spec.strip().equalsIgnoreCase("cluster")) {
        throw new UsageException("--join goes with --backend cluster (got --backend " + spec + ")");
      }
      spec = "cluster:" + join.strip();
    } else if (spec.strip().equalsIgnoreCase("cluster")) {
      throw new UsageException("--backend cluster needs --join HOST:PORT (start a member with: unipool member)");
    }
    return resolve(spec, workers);
  }

  /**
   * How many pieces to split CPU work into: {@code --workers} if given, else the backend's parallelism,
   * else (unbounded backends such as {@code virtual}) one per core.
   */
  int segments(Backend chosen) {
    if (workers != null) {
      return workers;
    }
    int p = chosen.parallelism();
    return p == Integer.MAX_VALUE ? Runtime.getRuntime().availableProcessors() : p;
  }

  /**
   * Maps {@code --backend spec --workers n} to a backend: for kinds that take a count, builds the text
   * form {@code kind:n}; for the others the count only sizes the work split. This is the one place that
   * knows which kinds take a count.
   *
   * @throws UsageException on a bad value, with a one-line message
   */
  public static Backend resolve(String spec, @Nullable Integer workers) {
    if (workers != null && workers < 1) {
      throw new UsageException("--workers must be at least 1");
    }
    String text = spec.strip();
    int colon = text.indexOf(':');
    String kind = (colon < 0 ? text : text.substring(0, colon)).toLowerCase(Locale.ROOT); // not the rest: a cluster name keeps its case
    if (workers != null && COUNTED_KINDS.contains(kind)) {
      if (colon >= 0) {
        throw new UsageException(
            "--backend " + spec + " already sets the worker count; drop it or drop --workers " + workers);
      }
      text = kind + ":" + workers;
    }
    try {
      return Backend.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--backend: " + e.getMessage());
    }
  }

  /**
   * Opens a pool, turning "that backend's module is not installed" into a usage error.
   *
   * @throws UsageException if the backend cannot be opened here
   */
  public static Pool open(Backend backend) {
    try {
      return Pool.of(backend, PoolOptions.defaults().timings(true)); // the demos report run times
    } catch (IllegalStateException e) {
      throw new UsageException("--backend " + backend + ": " + e.getMessage());
    }
  }
}
