package dev.unipool.spi;

import java.util.concurrent.atomic.LongAdder;

/**
 * A pool's task counters, updated by {@link TaskRun} at three points of each task's life: created (accepted
 * by {@code submit}), started, finished. One {@link LongAdder} increment at each point, so counting costs a
 * few nanoseconds and never contends.
 *
 * <p>Overview: the snapshot reads the finish counters first, then {@code started}, then {@code submitted}.
 * A task's start is counted before its {@code STARTED} flag is published and its finish is classified by
 * that flag, and each point is counted before the next can happen, so every finish read implies its start
 * and creation are read too: {@code running = started - finishedAfterStart} and {@code queued = submitted -
 * started - finishedBeforeStart} are never negative, and the counters add up to {@code submitted} by
 * construction.
 */
final class PoolCounters {
  static final int COMPLETED = 0;
  static final int FAILED = 1;
  static final int CANCELLED = 2;

  private final LongAdder submitted = new LongAdder();
  private final LongAdder started = new LongAdder();
  /** Indexed by {@code outcome * 2 + (started ? 1 : 0)}. */
  private final LongAdder[] finished = {
      new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};

  void submitted() {
    submitted.increment();
  }

  /** A task that was counted as submitted was rejected after all: it never existed for the counters. */
  void unsubmitted() {
    submitted.decrement();
  }

  void started() {
    started.increment();
  }

  void finished(int outcome, boolean afterStart) {
    finished[outcome * 2 + (afterStart ? 1 : 0)].increment();
  }

  /**
   * Reads the counters.
   *
   * @return {submitted, completed, failed, cancelled, running, queued}
   */
  long[] snapshot() {
    long[] f = new long[finished.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = finished[i].sum();
    }
    long s = started.sum();
    long n = submitted.sum();
    long endedStarted = f[1] + f[3] + f[5];
    long endedUnstarted = f[0] + f[2] + f[4];
    long running = Math.max(0, s - endedStarted);
    long queued = Math.max(0, n - s - endedUnstarted);
    // Clamping can only matter if the ordering argument above were broken; keep the sum exact regardless.
    long total = f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + running + queued;
    return new long[] {total, f[0] + f[1], f[2] + f[3], f[4] + f[5], running, queued};
  }

  /**
   * Tasks that finished after they started: what in-process workers ran in total.
   *
   * @return the count
   */
  long ranToEnd() {
    long n = 0;
    for (int i = 1; i < finished.length; i += 2) {
      n += finished[i].sum();
    }
    return n;
  }
}
