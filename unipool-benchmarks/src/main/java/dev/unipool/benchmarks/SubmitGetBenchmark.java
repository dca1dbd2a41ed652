package dev.unipool.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-task overhead: the round-trip latency of one {@code submit(task).get()} with nothing else in
 * flight, for every {@link Implementation}. For the thread-based kinds this is dominated by waking a
 * worker and being woken back; what unipool adds on top is the difference to its {@code JDK_*} twin.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 12, time = 2)
@SuppressWarnings("NullAway.Init") // fields are set in @Setup
public class SubmitGetBenchmark {
  /** A trivial task; a shared instance so the benchmark allocates no lambda per operation. */
  static final Callable<Integer> TASK = () -> 42;

  /** The executor under test. */
  @Param
  public Implementation impl;

  /** Pool size for {@code JDK_FIXED} and {@code UNIPOOL_THREADS}. */
  @Param("2")
  public int threads;

  private ExecutorService executor;
  private boolean direct;

  /** Opens the executor once per trial. */
  @Setup
  public void open() {
    executor = impl.open(threads);
    direct = impl.direct();
  }

  /** Closes the executor, waiting for its threads to finish. */
  @TearDown
  public void close() {
    executor.close();
  }

  /**
   * One task, submitted and awaited.
   *
   * @return the task's result
   * @throws Exception if the task failed (it does not)
   */
  @Benchmark
  public Integer submitGet() throws Exception {
    return direct ? TASK.call() : executor.submit(TASK).get();
  }
}
