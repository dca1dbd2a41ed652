package dev.unipool;

import dev.unipool.internal.Pools;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * Declare once what kind of work a function is, then just call it: the unsync idea. Each call returns a
 * {@link TaskFuture}, which chains like any {@link CompletionStage} ({@code thenApply},
 * {@code thenCompose(v -> Tasks.cpu(() -> ...))}).
 *
 * <pre>{@code
 * TaskFuture<String> page = Tasks.io(() -> download(url));          // virtual thread
 * TaskFuture<Integer> words = page.thenCompose(p -> Tasks.cpu(() -> count(p)));   // platform pool
 * TaskFuture<Report> r = Tasks.isolated(() -> riskyNativeCall());   // worker process
 * }</pre>
 *
 * <p>Calls without a pool argument run on one shared {@link Backend#auto()} pool, created on first use,
 * whose threads do not keep the JVM alive. {@link #route} turns an interface whose methods carry
 * {@link IoBound}, {@link CpuBound} or {@link Isolated} into a proxy that routes each call.
 */
public final class Tasks {
  private Tasks() {}

  /**
   * The shared pool used by the methods without a pool argument.
   *
   * @return the shared auto pool; do not close it
   */
  public static Pool shared() {
    return Pools.shared();
  }

  /**
   * Runs an I/O-bound task on a virtual thread (unsync's default, asyncio-like).
   *
   * @param task the task
   * @param <T> the result type
   * @return its future
   */
  public static <T> TaskFuture<T> io(SerializableCallable<T> task) {
    return shared().submit(task, TaskOptions.hint(Hint.IO));
  }

  /**
   * Runs a CPU-bound task on the platform pool sized to the cores (unsync's {@code cpu_bound=True}, but
   * without a process unless you ask for one).
   *
   * @param task the task
   * @param <T> the result type
   * @return its future
   */
  public static <T> TaskFuture<T> cpu(SerializableCallable<T> task) {
    return shared().submit(task, TaskOptions.hint(Hint.CPU));
  }

  /**
   * Runs a task in a worker process (needs {@code unipool-process}; the task must be serializable).
   *
   * @param task the task
   * @param <T> the result type
   * @return its future
   * @throws IllegalArgumentException if the task does not serialize
   * @throws IllegalStateException if {@code unipool-process} is not on the class path
   */
  public static <T> TaskFuture<T> isolated(SerializableCallable<T> task) {
    return shared().submit(task, TaskOptions.hint(Hint.ISOLATED));
  }

  /**
   * A proxy of {@code type} that runs each method annotated {@link IoBound}, {@link CpuBound} or
   * {@link Isolated} on the shared pool as that hint says; other methods are called directly.
   *
   * @param type an interface
   * @param target its implementation
   * @param <I> the interface type
   * @return the routing proxy
   * @throws IllegalArgumentException if {@code type} is not an interface, or an annotated method does not
   *     return {@code TaskFuture}, {@code CompletionStage} or {@code Future}
   */
  public static <I> I route(Class<I> type, I target) {
    return route(shared(), type, target);
  }

  /**
   * Like {@link #route(Class, Object)}, on a given pool (hints matter on {@link Backend#auto()}).
   *
   * @param pool where calls run
   * @param type an interface
   * @param target its implementation
   * @param <I> the interface type
   * @return the routing proxy
   */
  public static <I> I route(Pool pool, Class<I> type, I target) {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(target, "target");
    if (!type.isInterface()) {
      throw new IllegalArgumentException(type.getName() + " is not an interface");
    }
    for (Method m : type.getMethods()) {
      if (hintOf(m) != null && !m.getReturnType().isAssignableFrom(TaskFuture.class)) {
        throw new IllegalArgumentException(type.getSimpleName() + "." + m.getName()
            + " is annotated to run on a pool, so it must return TaskFuture, CompletionStage or Future, not "
            + m.getReturnType().getSimpleName());
      }
    }
    Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
      Hint hint = hintOf(m);
      if (hint == null) {
        if (m.getDeclaringClass() == Object.class) {
          return switch (m.getName()) {
            case "toString" -> "routed " + type.getSimpleName() + " over " + target;
            case "hashCode" -> System.identityHashCode(p);
            case "equals" -> p == args[0];
            default -> m.invoke(target, args);
          };
        }
        return invoke(target, m, args);
      }
      Invocation call = new Invocation(target, m.getName(), m.getParameterTypes(), args == null ? new Object[0] : args);
      return pool.submit(call, TaskOptions.hint(hint).withKind(type.getSimpleName() + "." + m.getName()));
    });
    return type.cast(proxy);
  }

  private static @org.jspecify.annotations.Nullable Hint hintOf(Method m) {
    if (m.isAnnotationPresent(Isolated.class)) {
      return Hint.ISOLATED;
    }
    if (m.isAnnotationPresent(CpuBound.class)) {
      return Hint.CPU;
    }
    return m.isAnnotationPresent(IoBound.class) ? Hint.IO : null;
  }

  private static @org.jspecify.annotations.Nullable Object invoke(Object target, Method m, Object @org.jspecify.annotations.Nullable [] args)
      throws Throwable {
    try {
      m.setAccessible(true); // the interface may be package-private, e.g. nested in the caller's class
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /**
   * One routed call; serializable when the target and arguments are, so it can run in a worker process.
   *
   * @param target the object whose interface method is called
   * @param method the method's name
   * @param types the method's parameter types
   * @param args the arguments
   */
  @SuppressWarnings("ArrayRecordComponent") // a carrier for one call: never compared, hashed or printed
  private record Invocation(Object target, String method, Class<?>[] types, Object[] args)
      implements SerializableCallable<Object>, Serializable {
    @Override
    public Object call() throws Exception {
      Method m = target.getClass().getMethod(method, types);
      m.setAccessible(true);
      Object result;
      try {
        result = m.invoke(target, args);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof Exception ex) {
          throw ex;
        }
        throw e;
      }
      // The implementation computed synchronously and wrapped its value; unwrap it here, on the worker.
      if (result instanceof CompletionStage<?> stage) {
        return stage.toCompletableFuture().get();
      }
      if (result instanceof Future<?> f) {
        return f.get();
      }
      return result;
    }

    @Override
    public String toString() {
      return target.getClass().getSimpleName() + "." + method;
    }
  }

}
