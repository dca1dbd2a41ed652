package dev.unipool.benchmarks;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Throughput of many tiny tasks: submit {@code tasks} trivial tasks from one thread, then {@code get} every
 * future, for every {@link Implementation}. Each JMH operation is one whole batch, so the score is the time
 * for the batch (1,000,000 tasks by default); tasks per second is {@code tasks / score}. A batch keeps
 * every future (and, for virtual threads, most threads) alive until it is collected, so garbage
 * collection is part of what this measures; the heap is fixed so that runs compare.
 *
 * <p>The heap is touched before the first shot ({@code -XX:+AlwaysPreTouch}): a young collection copies a
 * batch's live futures into regions the fork has not used yet, and on a VM where a first-touch page fault
 * costs ~13 us those faults were most of the collection (240-340 ms per collection against 75-122 ms
 * pretouched, in a probe) and grew with each future's size, not the executor's work. Three forks, since
 * the same executor's batch time differs from one JVM to the next by up to 2-4x (the JDK's pools included).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5)
@Measurement(iterations = 15)
@SuppressWarnings("NullAway.Init") // fields are set in @Setup
public class FireAndCollectBenchmark {
  /** The executor under test. */
  @Param
  public Implementation impl;

  /** Pool size for {@code JDK_FIXED} and {@code UNIPOOL_THREADS}. */
  @Param("2")
  public int threads;

  /** Tasks per batch. */
  @Param("1000000")
  public int tasks;

  private ExecutorService executor;
  private boolean direct;
  private Future<?>[] futures;
  private Object[] results;

  /** Opens the executor and the futures array once per trial. */
  @Setup
  public void open() {
    executor = impl.open(threads);
    direct = impl.direct();
    futures = new Future<?>[tasks];
    results = new Object[direct ? tasks : 0];
  }

  /**
   * Drops the batch's futures and collects them, so that each batch starts on an empty heap instead of
   * paying for its predecessor's garbage (which otherwise makes single shots wildly uneven).
   */
  @TearDown(Level.Iteration)
  public void forget() {
    Arrays.fill(futures, null);
    Arrays.fill(results, null);
    System.gc();
  }

  /** Closes the executor, waiting for its threads to finish. */
  @TearDown
  public void close() {
    executor.close();
  }

  /**
   * Submits the whole batch, then waits for every task in submission order.
   *
   * @return the sum of the results
   * @throws Exception if a task failed (none does)
   */
  @Benchmark
  public long fireAndCollect() throws Exception {
    Future<?>[] fs = futures;
    long sum = 0;
    if (direct) { // the results are stored, as futures would be, so the loop cannot be optimised away
      Object[] rs = results;
      for (int i = 0; i < rs.length; i++) {
        rs[i] = SubmitGetBenchmark.TASK.call();
      }
      for (Object r : rs) {
        sum += (Integer) r;
      }
      return sum;
    }
    ExecutorService e = executor;
    for (int i = 0; i < fs.length; i++) {
      fs[i] = e.submit(SubmitGetBenchmark.TASK);
    }
    for (Future<?> f : fs) {
      sum += (Integer) f.get();
    }
    return sum;
  }
}
