package dev.unipool;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The checks of {@link Backend}'s configuration records, with messages that name the bad value. Kept out of
 * {@code Backend}, which holds the configuration types and their documentation.
 */
final class BackendChecks {
  private BackendChecks() {}

  static void atLeastOne(int n, String what) {
    if (n < 1) {
      throw new IllegalArgumentException(what + " must be at least 1, got " + n);
    }
  }

  /** See {@link Backend.Processes}. */
  static void processes(int workers, @Nullable String heap, int recycleAfter, Backend.Processes.Output output,
      Duration killGrace) {
    atLeastOne(workers, "workers");
    if (heap != null && !heap.matches("[0-9]+[kKmMgG]?")) {
      throw new IllegalArgumentException("heap must look like 512m or 2g, got '" + heap + "'");
    }
    if (recycleAfter < 0) {
      throw new IllegalArgumentException("recycleAfter must be 0 (never) or positive, got " + recycleAfter);
    }
    Objects.requireNonNull(output, "output");
    if (killGrace.isNegative()) {
      throw new IllegalArgumentException("killGrace must not be negative, got " + killGrace);
    }
  }

  /** See {@link Backend.Cluster}. */
  static void cluster(List<String> addresses, @Nullable String clusterName, Duration connectTimeout,
      int parallelism) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("cluster needs at least one member address, e.g. 127.0.0.1:5801");
    }
    for (String a : addresses) {
      if (!a.strip().matches("[^:\\s]+:[0-9]{1,5}")) {
        throw new IllegalArgumentException("member address must be host:port, got '" + a + "'");
      }
    }
    if (clusterName != null && clusterName.isBlank()) {
      throw new IllegalArgumentException("clusterName must not be blank");
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
    }
    if (parallelism < 0) {
      throw new IllegalArgumentException("parallelism must be 0 (ask the cluster) or positive, got " + parallelism);
    }
  }
}
