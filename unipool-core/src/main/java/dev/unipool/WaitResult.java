package dev.unipool;

import java.util.List;

/**
 * What {@link Futures#await} saw: the futures that were done and those still pending when it returned,
 * each in the order they were given (Python's {@code (done, not_done)}).
 *
 * @param done the futures that were done
 * @param pending the futures that were not done
 * @param <F> the future type
 */
public record WaitResult<F>(List<F> done, List<F> pending) {
  /** Copies both lists, so the result is immutable. */
  public WaitResult {
    done = List.copyOf(done);
    pending = List.copyOf(pending);
  }
}
