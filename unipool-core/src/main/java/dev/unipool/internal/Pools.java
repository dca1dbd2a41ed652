package dev.unipool.internal;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.spi.PoolProvider;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;

/** Creates pools: in-process backends directly, the others through {@link PoolProvider}s. */
public final class Pools {
  /** The environment variable {@link Pool#fromEnvironment()} reads. */
  public static final String ENV = "UNIPOOL_BACKEND";

  private Pools() {}

  /**
   * Opens a pool for {@code backend} and registers it with JMX ({@link PoolMBeans}).
   *
   * @param backend the backend
   * @param options the options
   * @return the running pool
   */
  public static Pool open(Backend backend, PoolOptions options) {
    Pool pool = create(backend, options);
    PoolMBeans.register(pool);
    return pool;
  }

  private static Pool create(Backend backend, PoolOptions options) {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(options, "options");
    // Type tests, not a pattern switch: an application's first pattern switch has its dispatch class
    // generated at run time (5-12 ms on 2 cores), which would be part of its first Pool.of.
    if (backend instanceof Backend.Processes b) {
      return openWithProvider(b, options, "unipool-process");
    } else if (backend instanceof Backend.Threads b) {
      return ExecutorPool.threads(b, options);
    } else if (backend instanceof Backend.Virtual b) {
      return ExecutorPool.virtual(b, options);
    } else if (backend instanceof Backend.Inline b) {
      return new InlinePool(b, options);
    } else if (backend instanceof Backend.Auto b) {
      return new AutoPool(b, options);
    } else if (backend instanceof Backend.Cluster b) {
      return openWithProvider(b, options, "unipool-hazelcast");
    }
    throw new IllegalArgumentException("unknown backend " + backend); // Backend is sealed: not reached
  }

  /**
   * Opens a pool through the first {@link PoolProvider} that supports the backend.
   *
   * @param backend the backend
   * @param options the options
   * @param artifact the Maven artifact that provides it, for the error message
   * @return the running pool
   * @throws IllegalStateException if no provider is on the class path
   */
  public static Pool openWithProvider(Backend backend, PoolOptions options, String artifact) {
    for (PoolProvider p : ServiceLoader.load(PoolProvider.class)) {
      if (p.supports(backend)) {
        return p.open(backend, options);
      }
    }
    throw new IllegalStateException(
        "backend " + backend + " needs the dev.unipool:" + artifact + " module on the class path; add that"
            + " dependency next to unipool-core");
  }

  private static volatile @org.jspecify.annotations.Nullable Pool shared;

  /**
   * The shared auto pool behind {@code dev.unipool.Tasks}: created on first use, with daemon threads so
   * it never keeps the JVM alive.
   *
   * @return the shared pool
   */
  public static Pool shared() {
    Pool p = shared;
    if (p == null) {
      synchronized (Pools.class) {
        p = shared;
        if (p == null) {
          p = new AutoPool(Backend.auto(), PoolOptions.defaults().name("unipool-shared"));
          PoolMBeans.register(p);
          shared = p;
        }
      }
    }
    return p;
  }

  /**
   * A one-shot iterable over a stream's elements, read lazily.
   *
   * @param stream the stream
   * @param <T> the element type
   * @return an iterable whose iterator reads the stream
   */
  @SuppressWarnings("unchecked") // a stream of ? extends T only produces Ts
  public static <T> Iterable<T> iterable(java.util.stream.Stream<? extends T> stream) {
    return () -> (java.util.Iterator<T>) stream.iterator();
  }

  /**
   * Whether some {@link PoolProvider} on the class path runs {@code backend}.
   *
   * @param backend a backend that is not built into core
   * @return true if {@link #openWithProvider} would find a provider
   */
  static boolean hasProvider(Backend backend) {
    for (PoolProvider p : ServiceLoader.load(PoolProvider.class)) {
      if (p.supports(backend)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The backend {@code UNIPOOL_BACKEND} names in {@code env}, or {@code threads} when unset or blank.
   *
   * @param env the environment
   * @return the backend
   * @throws IllegalArgumentException if the variable names no valid backend
   */
  public static Backend backendFromEnvironment(Map<String, String> env) {
    String spec = env.get(ENV);
    if (spec == null || spec.isBlank()) {
      return Backend.threads();
    }
    try {
      return Backend.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ENV + ": " + e.getMessage(), e);
    }
  }
}
