package dev.unipool.internal;

import dev.unipool.Hint;
import dev.unipool.internal.AutoPool.Route;
import org.jspecify.annotations.Nullable;

/**
 * The decisions of {@link AutoPool}, without threads or clocks: given what was measured, where a kind of
 * task goes. {@code AutoPool} owns the measuring, the locking and the executors; this class only decides,
 * so each rule can be tested with plain numbers.
 */
final class AutoPolicy {
  private AutoPolicy() {}

  /** The route an explicit hint names; hints always win over measurement. */
  static Route hinted(Hint hint) {
    return switch (hint) {
      case IO -> Route.IO;
      case CPU -> Route.CPU;
      case ISOLATED -> Route.ISOLATED;
    };
  }

  /**
   * Whether a task of a kind must be measured (probed) before it can be routed: the kind has no route yet,
   * or it is routed to I/O and {@code sinceProbe} runs (this one included) reached {@link AutoPool#REPROBE_EVERY}
   * while no probe runs.
   */
  static boolean needsProbe(@Nullable Route route, int sinceProbe, boolean probing) {
    return route == null || (route == Route.IO && sinceProbe >= AutoPool.REPROBE_EVERY && !probing);
  }

  /**
   * A CPU-bound task with a timeout goes to a worker process when one can be had: only a process can
   * enforce a hard timeout on a busy loop.
   */
  static Route withTimeout(Route route, boolean hasTimeout, boolean processesAvailable) {
    return route == Route.CPU && hasTimeout && processesAvailable ? Route.ISOLATED : route;
  }

  /**
   * The probe is still running: the route its CPU use so far indicates, or null to look again later. At the
   * first look ({@code last} false) only a clear reading decides; at the last look the usual threshold does.
   * An unreadable CPU time counts as computing, the route that cannot starve virtual threads.
   *
   * @param cpuNanos the probe thread's CPU time so far, negative if unreadable
   * @param wallNanos the time since the probe started
   */
  static @Nullable Route early(long cpuNanos, long wallNanos, boolean last) {
    double ratio = earlyRatio(cpuNanos, wallNanos);
    if (!last && ratio > AutoPool.IO_BOUND / 2 && ratio < 2 * AutoPool.CPU_BOUND) {
      return null;
    }
    return ratio >= AutoPool.CPU_BOUND ? Route.CPU : Route.IO;
  }

  /** The CPU/wall ratio an early look reads; an unreadable one reads as 1 (computing). */
  static double earlyRatio(long cpuNanos, long wallNanos) {
    if (cpuNanos < 0 || wallNanos <= 0) {
      return 1;
    }
    return (double) cpuNanos / wallNanos;
  }

  /**
   * The route after a probe measured {@code ratio} (negative if nothing was measured). A kind switches to
   * CPU at {@link AutoPool#CPU_BOUND} and back to I/O only below {@link AutoPool#IO_BOUND}: the gap keeps
   * borderline kinds from flapping. With nothing measured, an undecided kind goes to I/O (waiting is the
   * safe guess) and a decided one keeps its route.
   */
  static Route afterProbe(@Nullable Route before, double ratio) {
    if (ratio < 0) {
      return before == null ? Route.IO : before;
    }
    if (before == null) {
      return ratio >= AutoPool.CPU_BOUND ? Route.CPU : Route.IO;
    }
    if (before == Route.IO && ratio >= AutoPool.CPU_BOUND) {
      return Route.CPU;
    }
    if (before == Route.CPU && ratio < AutoPool.IO_BOUND) {
      return Route.IO;
    }
    return before;
  }

  /**
   * Whether a kind on the CPU route goes back to I/O after a run: it was measured at least three times, its
   * average fell below {@link AutoPool#IO_BOUND}, and the route came from measurement, not from a hint.
   */
  static boolean backToIo(@Nullable Route route, long measured, double ratio, @Nullable String reason) {
    return route == Route.CPU && measured >= 3 && ratio < AutoPool.IO_BOUND && reason != null
        && !reason.startsWith("hint");
  }

  /** The running average of a kind's CPU/wall ratio (or mean wall time) after one more sample. */
  static double average(double before, double sample) {
    return before < 0 ? sample : 0.7 * before + 0.3 * sample;
  }
}
