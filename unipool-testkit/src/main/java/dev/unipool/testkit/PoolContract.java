package dev.unipool.testkit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.PoolStats;
import dev.unipool.WorkerStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link Backend} must keep: one abstract JUnit 5 class composed of behaviour-sized
 * contract interfaces. A backend module adds a subclass that names its backend and its {@link Capabilities},
 * and gets the whole suite.
 *
 * <pre>{@code
 * class ThreadsPoolTest extends PoolContract {
 *   @Override public Backend backend() { return Backend.threads(4); }
 *   @Override public Capabilities capabilities() { return Capabilities.inProcess(); }
 * }
 * }</pre>
 *
 * <p>The behaviours, each an interface whose tests are default methods: {@link SubmitContract},
 * {@link FailureContract}, {@link WorkerIdentityContract}, {@link MapContract}, {@link CompletionContract},
 * {@link TimeoutContract}, {@link CancellationContract}, {@link LifecycleContract}, {@link InvokeContract},
 * {@link QueueContract}, {@link InputValidationContract}, {@link TaskGroupContract}, {@link StatsContract}, {@link SharedContract}.
 * This class holds what they share: a fresh pool per test, signals in a temporary directory, and the
 * {@linkplain #checkInvariants checks after each test}.
 *
 * <p>Every task here is serializable and shares no memory with the test, so the suite runs unchanged on
 * backends whose workers are other JVMs: results come back through futures, and tests and tasks meet
 * through {@link FileSignal}s in a temporary directory (a {@link HeldTask} holds a worker until released).
 * Nothing asserts how long anything takes; waits are bounded and generous so a broken backend fails
 * rather than hangs. Each test gets a fresh pool (see {@link #pool()}), shut down after the test; so that
 * the suite stays fast on backends with slow-starting workers, tests are few and each checks a whole
 * behaviour (the map family, for example, loops over chunk sizes inside one test).
 *
 * <p>Tests that need a task to be running while the test thread acts assume
 * {@link Capabilities#runsConcurrently()}; tests that need every worker busy also assume the backend's
 * parallelism is at most {@link #MAX_FILLABLE}.
 */
@Timeout(value = 60, unit = SECONDS)
public abstract class PoolContract
    implements SubmitContract,
        FailureContract,
        WorkerIdentityContract,
        MapContract,
        CompletionContract,
        TimeoutContract,
        CancellationContract,
        LifecycleContract,
        InvokeContract,
        QueueContract,
        InputValidationContract,
        TaskGroupContract,
        StatsContract,
        SharedContract {
  /** How long tests wait for anything that should happen promptly. */
  protected static final Duration PATIENCE = ContractSupport.PATIENCE;

  /** Tests that occupy every worker run only on backends with at most this parallelism. */
  protected static final int MAX_FILLABLE = ContractSupport.MAX_FILLABLE;

  private final List<Pool> pools = new ArrayList<>();
  private @Nullable Pool pool;
  private @Nullable Path dir;

  /** For subclasses. */
  protected PoolContract() {}

  /**
   * {@inheritDoc}
   *
   * <p>{@link PoolOptions#defaults()} unless overridden.
   */
  @Override
  public PoolOptions options() {
    return PoolOptions.defaults();
  }

  // ---- fixture ----

  @BeforeEach
  final void setUpTempDir(@TempDir Path tempDir) {
    this.dir = tempDir;
  }

  @AfterEach
  final void closePools() throws Exception {
    List<Pool> open;
    synchronized (this) { // not held while waiting: a task still running may call pool()
      open = List.copyOf(pools);
      pools.clear();
      pool = null;
    }
    // The worker processes alive at the end of the test; none may outlive the pool's termination.
    Map<Pool, List<Long>> workerPids = new LinkedHashMap<>();
    long me = ProcessHandle.current().pid();
    for (Pool p : open) {
      if (capabilities().ownsWorkerProcesses()) {
        workerPids.put(p, p.stats().workers().stream().map(WorkerStats::pid).filter(pid -> pid > 0 && pid != me)
            .distinct().toList());
      }
      p.shutdownNow();
    }
    for (Pool p : open) {
      assertTrue(p.awaitTermination(PATIENCE.toSeconds(), SECONDS), () -> p + " did not terminate after shutdownNow");
    }
    for (Pool p : open) {
      checkInvariants(p, workerPids.getOrDefault(p, List.of()));
    }
  }

  /**
   * Checks what must hold of every pool once it has terminated, after every test: every task it accepted
   * has an outcome (nothing queued or running, so no queue slot or timer is still held for it), its outcome
   * counters add up, and no worker process it owned is still alive. Subclasses that can see more of their
   * backend (for example the queue slots of an {@code AbstractPool}) may add checks, calling this first.
   *
   * @param p a terminated pool of the test
   * @param workerPids the worker processes of {@code p} alive before it was shut down, when
   *     {@link Capabilities#ownsWorkerProcesses()}; else empty
   * @throws Exception if interrupted while waiting
   * @throws AssertionError if an invariant does not hold
   */
  protected void checkInvariants(Pool p, List<Long> workerPids) throws Exception {
    // The counters of a task cancelled by shutdownNow settle a moment after termination on some backends.
    PoolStats s = ContractSupport.awaitStats(p, st -> st.queued() == 0 && st.running() == 0,
        "no task queued or running after termination");
    assertEquals(s.submitted(), s.completed() + s.failed() + s.cancelled(), () -> "outcomes do not add up:\n" + s.table());
    for (long pid : workerPids) {
      Optional<ProcessHandle> h = ProcessHandle.of(pid);
      if (h.isPresent()) {
        try {
          h.get().onExit().get(PATIENCE.toSeconds(), SECONDS);
        } catch (TimeoutException | ExecutionException e) {
          throw new AssertionError("worker process " + pid + " of " + p + " is still alive after termination", e);
        }
      }
    }
  }

  @Override
  public final synchronized Pool pool() {
    Pool p = pool;
    if (p == null) {
      p = newPool(options()); // opened on first use: tests that need other options never start it
      pool = p;
    }
    return p;
  }

  @Override
  public final synchronized Pool newPool(PoolOptions options) {
    Pool p = Pool.of(backend(), options);
    pools.add(p);
    return p;
  }

  @Override
  public final FileSignal newSignal() {
    return FileSignal.in(tempDir());
  }

  @Override
  public final HeldTask newHeldTask() {
    return HeldTask.in(tempDir());
  }

  @Override
  public final HeldTask newHeldTask(FileSignal release) {
    return HeldTask.in(tempDir(), release);
  }

  private Path tempDir() {
    Path d = dir;
    if (d == null) {
      throw new IllegalStateException("no test is running");
    }
    return d;
  }
}
