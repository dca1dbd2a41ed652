package dev.unipool.micrometer;

import dev.unipool.Pool;
import dev.unipool.PoolStats;
import dev.unipool.WorkerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Binds a {@link Pool}'s {@link Pool#stats()} to a Micrometer {@link MeterRegistry}, so Prometheus, Grafana
 * and every other Micrometer backend see the pool with one line:
 *
 * <pre>{@code
 * new UnipoolMetrics(pool).bindTo(registry);   // Spring Boot: expose it as a @Bean MeterBinder
 * }</pre>
 *
 * <p>Meters, each tagged {@code pool} (the pool's name) and {@code backend}, plus any extra tags:
 *
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code unipool.tasks.submitted}</td><td>function counter</td><td>tasks accepted</td></tr>
 *   <tr><td>{@code unipool.tasks.finished}</td><td>function counter, tag {@code outcome}</td>
 *       <td>{@code completed}, {@code failed}, {@code cancelled}</td></tr>
 *   <tr><td>{@code unipool.tasks.running}, {@code unipool.tasks.queued}</td><td>gauges</td>
 *       <td>tasks started and not finished; tasks waiting to start</td></tr>
 *   <tr><td>{@code unipool.tasks}</td><td>function timer</td>
 *       <td>tasks the workers ran and the time they kept them busy: the mean is the worker time per task</td></tr>
 *   <tr><td>{@code unipool.workers}</td><td>gauge, tag {@code state}</td>
 *       <td>workers {@code starting}, {@code idle}, {@code busy}, {@code stopping}, {@code stopped}</td></tr>
 *   <tr><td>{@code unipool.workers.restarts}</td><td>function counter</td><td>workers replaced</td></tr>
 *   <tr><td>{@code unipool.workers.serialization}</td><td>function counter (seconds), tag {@code direction}</td>
 *       <td>time spent encoding tasks and decoding results</td></tr>
 *   <tr><td>{@code unipool.workers.memory}</td><td>gauge (bytes)</td>
 *       <td>resident memory of the worker processes or members that report it</td></tr>
 * </table>
 *
 * <p>A scrape reads one snapshot, reused for 100 ms, so the meters of one scrape agree and a scrape costs one
 * {@code stats()} call. Meters hold the pool strongly: after closing a pool for good, remove them (or use a
 * registry per pool) if the application opens many pools. Per-task latency percentiles are not available
 * here; record the {@code dev.unipool.Task} flight-recorder event for them.
 */
public final class UnipoolMetrics implements MeterBinder {
  private static final long REUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final Pool pool;
  private final Tags tags;
  private final long reuseNanos;
  private final Object lock = new Object();
  private @Nullable PoolStats last; // guarded by lock
  private long lastAt; // guarded by lock

  /**
   * A binder for {@code pool}.
   *
   * @param pool the pool to measure
   */
  public UnipoolMetrics(Pool pool) {
    this(pool, Tags.empty());
  }

  /**
   * A binder for {@code pool} with extra tags on every meter.
   *
   * @param pool the pool to measure
   * @param tags added to the {@code pool} and {@code backend} tags
   */
  public UnipoolMetrics(Pool pool, Iterable<Tag> tags) {
    this(pool, tags, REUSE_NANOS);
  }

  /** For tests: {@code reuseNanos == 0} reads a fresh snapshot for every meter. */
  UnipoolMetrics(Pool pool, Iterable<Tag> tags, long reuseNanos) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.tags = Tags.of("pool", pool.options().name(), "backend", pool.backend().toString()).and(tags);
    this.reuseNanos = reuseNanos;
  }

  /** The pool's statistics, read at most every 100 ms. */
  PoolStats stats() {
    synchronized (lock) {
      long now = System.nanoTime();
      PoolStats s = last;
      if (s == null || now - lastAt >= reuseNanos) {
        s = pool.stats();
        last = s;
        lastAt = now;
      }
      return s;
    }
  }

  /**
   * Registers the meters. May be called for several registries.
   *
   * @param registry where the meters go
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "unipool.tasks.submitted", "tasks the pool accepted", Tags.empty(), PoolStats::submitted);
    counter(registry, "unipool.tasks.finished", "tasks that finished, by outcome", Tags.of("outcome", "completed"),
        PoolStats::completed);
    counter(registry, "unipool.tasks.finished", "tasks that finished, by outcome", Tags.of("outcome", "failed"),
        PoolStats::failed);
    counter(registry, "unipool.tasks.finished", "tasks that finished, by outcome", Tags.of("outcome", "cancelled"),
        PoolStats::cancelled);
    gauge(registry, "unipool.tasks.running", "tasks started and not finished", Tags.empty(), null,
        PoolStats::running);
    gauge(registry, "unipool.tasks.queued", "tasks waiting to start", Tags.empty(), null, PoolStats::queued);
    FunctionTimer.builder("unipool.tasks", this, m -> m.stats().tasksRun(),
            m -> m.stats().busy().toNanos(), TimeUnit.NANOSECONDS)
        .description("tasks the workers ran, and the time they kept the workers busy")
        .tags(tags)
        .register(registry); // weakly held, like the counters: the gauges below hold this binder strongly
    for (WorkerStats.State state : WorkerStats.State.values()) {
      gauge(registry, "unipool.workers", "workers by state", Tags.of("state", state.name().toLowerCase(Locale.ROOT)),
          null, s -> s.workers().stream().filter(w -> w.state() == state).count());
    }
    counter(registry, "unipool.workers.restarts", "workers replaced by new ones", Tags.empty(),
        s -> s.workers().stream().mapToLong(WorkerStats::restarts).sum());
    FunctionCounter.builder("unipool.workers.serialization", this,
            m -> seconds(m.stats().workers().stream().map(WorkerStats::encoding).reduce(Duration.ZERO, Duration::plus)))
        .description("time spent serializing tasks and results for workers").baseUnit("seconds")
        .tags(tags).tag("direction", "encode").register(registry);
    FunctionCounter.builder("unipool.workers.serialization", this,
            m -> seconds(m.stats().workers().stream().map(WorkerStats::decoding).reduce(Duration.ZERO, Duration::plus)))
        .description("time spent serializing tasks and results for workers").baseUnit("seconds")
        .tags(tags).tag("direction", "decode").register(registry);
    gauge(registry, "unipool.workers.memory", "resident memory of the workers that report it", Tags.empty(), "bytes",
        s -> s.workers().stream().mapToLong(WorkerStats::rssBytes).filter(b -> b > 0).sum());
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private void counter(MeterRegistry registry, String name, String description, Tags extra,
      ToDoubleFunction<PoolStats> value) {
    FunctionCounter.builder(name, this, m -> value.applyAsDouble(m.stats()))
        .description(description).tags(tags).tags(extra).register(registry);
  }

  private void gauge(MeterRegistry registry, String name, String description, Tags extra, @Nullable String unit,
      ToDoubleFunction<PoolStats> value) {
    // Strong: the registry then keeps this binder (and the pool) reachable, which the function counters and
    // the timer, weakly held by Micrometer, rely on.
    Gauge.Builder<UnipoolMetrics> b = Gauge.builder(name, this, m -> value.applyAsDouble(m.stats()))
        .description(description).tags(tags).tags(extra).strongReference(true);
    if (unit != null) {
      b.baseUnit(unit);
    }
    b.register(registry);
  }
}
