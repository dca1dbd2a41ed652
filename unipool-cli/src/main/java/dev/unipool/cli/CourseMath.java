package dev.unipool.cli;

/** The course's CPU-bound workload, as a pure function so that every backend computes the same numbers. */
public final class CourseMath {
  private static final long K_SQ = 1000L * 1000L;

  private CourseMath() {}

  /**
   * The course's {@code do_math(start, num)}: walks {@code pos} from {@code start + 1} to {@code num},
   * accumulating {@code sqrt((pos - k_sq)^2) / num}, and returns the integer part. Deterministic: the
   * result depends only on the arguments.
   *
   * @param start where the walk starts (exclusive), not negative
   * @param num where it ends (inclusive), and the divisor
   * @return {@code int(ave)} as in the course
   */
  public static long doMath(long start, long num) {
    double average = 0;
    for (long pos = start + 1; pos <= num; pos++) {
      double d = pos - K_SQ;
      average += Math.sqrt(d * d) / num;
    }
    return (long) average;
  }
}
