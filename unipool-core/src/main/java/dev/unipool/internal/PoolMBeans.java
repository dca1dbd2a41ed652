package dev.unipool.internal;

import dev.unipool.Pool;
import dev.unipool.PoolMXBean;
import dev.unipool.PoolMXBean.WorkerRow;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.jspecify.annotations.Nullable;

/**
 * Registers each open pool as a {@link PoolMXBean} in the platform MBean server, under a name unique among
 * the registered pools, and unregisters it when the pool has terminated. JMX is optional: a pool whose
 * registration fails (a security manager, a custom platform server) works the same without it, and
 * {@code -Dunipool.jmx=false} turns it off.
 *
 * <p>Registration runs on a background thread: creating the platform MBean server costs 100-200 ms the
 * first time in a JVM, and registering a bean a few microseconds after that, neither of which
 * {@code Pool.of} should pay. The first registration in a JVM also waits until its pool is ready
 * ({@link Pool#awaitReady}, at most 10 s) and half a second more, for its first tasks: on two cores the
 * server's creation beside two booting worker JVMs made a program's first pool slower to its first result
 * (589 against 444 ms with JMX off, medians of 10 alternating runs; ~35 ms slower when it waited for
 * readiness alone, 19 ms with the half second).
 *
 * <p>Overview of the races with shutdown: the registering thread registers, then looks whether the pool
 * is shut down; {@code shutdown()} sets the pool's state, then looks whether it is
 * registered. Whichever looks second sees the other's step and starts the check that unregisters the pool
 * once it has terminated.
 */
public final class PoolMBeans {
  /** System property: {@code false} keeps pools out of JMX. */
  public static final String ENABLED_PROPERTY = "unipool.jmx";

  private static final System.Logger LOG = System.getLogger("dev.unipool");
  private static final ScheduledThreadPoolExecutor JMX = executor();
  private static final IdentityHashMap<Pool, ObjectName> REGISTERED = new IdentityHashMap<>(); // guarded by itself
  /** How long the first registration waits, at most, for its pool to be ready. */
  static final long FIRST_WAIT_SECONDS = 10;
  /** How often the first registration looks whether its pool is ready. */
  private static final long READY_POLL_MILLIS = 50;
  /** How long the first registration leaves a ready pool to its first tasks. */
  private static final long SETTLE_MILLIS = 500;
  /** Whether the platform MBean server exists: from then on registering costs microseconds, nothing waits. */
  private static volatile boolean serverMade;

  private PoolMBeans() {}

  private static ScheduledThreadPoolExecutor executor() {
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("unipool-jmx").factory());
    e.setKeepAliveTime(10, TimeUnit.SECONDS);
    e.allowCoreThreadTimeOut(true); // no thread stays for JMX while nothing is to be done
    e.setRemoveOnCancelPolicy(true);
    return e;
  }

  /**
   * Registers {@code pool} soon, on the background thread (see the class comment), unless
   * {@code -Dunipool.jmx=false}.
   *
   * @param pool an open pool
   */
  public static void register(Pool pool) {
    if ("false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY, "true").strip())) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FIRST_WAIT_SECONDS);
    JMX.execute(() -> registerOnceStarted(pool, deadline, false));
  }

  /**
   * Registers now, unless the server is still to be made and the pool is starting or just started: then
   * looks again later (see the class comment).
   */
  @SuppressWarnings("FutureReturnValueIgnored") // nothing to cancel: the next look ends by itself
  private static void registerOnceStarted(Pool pool, long deadline, boolean settled) {
    if (pool.isTerminated()) {
      return; // closed before its turn came
    }
    if (!serverMade && !settled) {
      boolean ready = ready(pool) || System.nanoTime() >= deadline;
      JMX.schedule(() -> registerOnceStarted(pool, deadline, ready), ready ? SETTLE_MILLIS : READY_POLL_MILLIS,
          TimeUnit.MILLISECONDS);
      return;
    }
    if (registerNow(pool) != null && pool.isShutdown()) {
      watch(pool);
    }
  }

  /** Whether the pool's workers are started; true also when it never will be (shut down, broken). */
  private static boolean ready(Pool pool) {
    try {
      return pool.awaitReady(Duration.ZERO);
    } catch (IllegalStateException e) {
      return true; // shut down or broken: nothing to wait for; it is unregistered once terminated
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /**
   * The pool was shut down: if it is registered, it is unregistered once it has terminated (at the latest
   * a second after), even if nobody awaits it.
   *
   * @param pool a pool
   */
  public static void shutDown(Pool pool) {
    if (nameOf(pool) != null) {
      watch(pool);
    }
  }

  private static void watch(Pool pool) {
    ScheduledFuture<?>[] check = new ScheduledFuture<?>[1];
    synchronized (check) {
      check[0] = JMX.scheduleWithFixedDelay(() -> {
        if (pool.isTerminated() || nameOf(pool) == null) { // isTerminated() unregisters a terminated pool
          unregister(pool);
          synchronized (check) {
            ScheduledFuture<?> c = check[0];
            if (c != null) {
              c.cancel(false);
            }
          }
        }
      }, 0, 1, TimeUnit.SECONDS);
    }
  }

  /**
   * Registers {@code pool} now as {@code dev.unipool:type=Pool,name=<its name>}, or {@code <its name>-2},
   * {@code -3}, ... if that name is taken.
   *
   * @param pool an open pool
   * @return the name it was registered under, or null if JMX refused it
   */
  static @Nullable ObjectName registerNow(Pool pool) {
    MBeanServer server;
    try {
      server = ManagementFactory.getPlatformMBeanServer(); // 100-200 ms the first time: not under the lock
      serverMade = true;
    } catch (RuntimeException | Error e) {
      LOG.log(System.Logger.Level.DEBUG, "no platform MBean server: pool " + pool.options().name() + " not in JMX", e);
      return null;
    }
    // Registered and recorded under one lock: an unregister() that ran while the bean was in the server but
    // not yet recorded would find nothing to remove, and the bean would outlive the pool's close().
    synchronized (REGISTERED) {
      try {
        String base = pool.options().name();
        for (int n = 1; ; n++) {
          ObjectName name = objectName(n == 1 ? base : base + "-" + n);
          if (server.isRegistered(name)) {
            continue;
          }
          try {
            server.registerMBean(new StandardMBean(new View(pool), PoolMXBean.class, true), name);
          } catch (InstanceAlreadyExistsException e) {
            continue; // taken meanwhile by another pool
          }
          REGISTERED.put(pool, name);
          return name;
        }
      } catch (JMException | RuntimeException | Error e) {
        LOG.log(System.Logger.Level.DEBUG, "pool " + pool.options().name() + " not registered with JMX", e);
        return null;
      }
    }
  }

  /**
   * The name {@code pool} is registered under.
   *
   * @param pool a pool
   * @return its object name, or null if it is not (or no longer) registered
   */
  public static @Nullable ObjectName nameOf(Pool pool) {
    synchronized (REGISTERED) {
      return REGISTERED.get(pool);
    }
  }

  /**
   * Unregisters {@code pool}; does nothing if it is not registered. Idempotent.
   *
   * @param pool a pool
   */
  public static void unregister(Pool pool) {
    ObjectName name;
    synchronized (REGISTERED) {
      name = REGISTERED.remove(pool);
    }
    if (name == null) {
      return;
    }
    try {
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
    } catch (InstanceNotFoundException e) {
      // unregistered by someone else: fine
    } catch (JMException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "could not unregister " + name, e);
    }
  }

  static ObjectName objectName(String poolName) throws JMException {
    boolean special = poolName.chars().anyMatch(c -> ",=:\"*?\\\n".indexOf(c) >= 0);
    return new ObjectName("dev.unipool:type=Pool,name=" + (special ? ObjectName.quote(poolName) : poolName));
  }

  /** The MXBean of one pool: each attribute reads a fresh snapshot. */
  private static final class View implements PoolMXBean {
    private final Pool pool;

    View(Pool pool) {
      this.pool = pool;
    }

    @Override
    public String getName() {
      return pool.options().name();
    }

    @Override
    public String getBackend() {
      return pool.backend().toString();
    }

    @Override
    public String getState() {
      return pool.isTerminated() ? "terminated" : pool.isShutdown() ? "shutting down" : "running";
    }

    @Override
    public long getSubmitted() {
      return pool.stats().submitted();
    }

    @Override
    public long getCompleted() {
      return pool.stats().completed();
    }

    @Override
    public long getFailed() {
      return pool.stats().failed();
    }

    @Override
    public long getCancelled() {
      return pool.stats().cancelled();
    }

    @Override
    public long getRunning() {
      return pool.stats().running();
    }

    @Override
    public long getQueued() {
      return pool.stats().queued();
    }

    @Override
    public int getWorkerCount() {
      return pool.stats().workers().size();
    }

    @Override
    public List<WorkerRow> getWorkers() {
      return pool.stats().workers().stream().map(WorkerRow::of).toList();
    }

    @Override
    public String getStatsTable() {
      return pool.stats().table();
    }

    @Override
    public String explain() {
      return pool.explain();
    }
  }
}
