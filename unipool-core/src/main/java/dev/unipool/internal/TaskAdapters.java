package dev.unipool.internal;

import dev.unipool.SerializableBiFunction;
import dev.unipool.SerializableCallable;
import dev.unipool.SerializableFunction;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * Serializable adapters the pool wraps around user code. Each is serializable exactly when the user's
 * object is, so the backend's serializability check reports the user's type, not ours.
 */
public final class TaskAdapters {
  private TaskAdapters() {}

  /**
   * Adapts an action to a callable returning {@code result}.
   *
   * @param task the action
   * @param result what the callable returns
   * @param <T> the result type
   * @return the callable
   */
  public static <T> Callable<T> callable(Runnable task, @Nullable T result) {
    return new RunnableTask<>(task, result);
  }

  /**
   * Adapts a two-argument function to one over {@link Pair}s.
   *
   * @param fn the function
   * @param <A> first argument type
   * @param <B> second argument type
   * @param <R> result type
   * @return the function over pairs
   */
  public static <A, B, R> SerializableFunction<Pair<A, B>, R> spread(
      SerializableBiFunction<? super A, ? super B, ? extends R> fn) {
    return new Spread<>(fn);
  }

  /**
   * A lazy view of map entries as serializable pairs (JDK entries are not all serializable).
   *
   * @param pairs the entries
   * @param <A> key type
   * @param <B> value type
   * @return the pairs, read lazily
   */
  public static <A, B> Iterable<Pair<A, B>> pairs(Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs) {
    Objects.requireNonNull(pairs, "pairs");
    return () -> {
      Iterator<? extends Map.Entry<? extends A, ? extends B>> it = pairs.iterator();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public Pair<A, B> next() {
          Map.Entry<? extends A, ? extends B> e = Objects.requireNonNull(it.next(), "pairs must not contain null");
          return new Pair<>(e.getKey(), e.getValue());
        }
      };
    };
  }

  /**
   * Two arguments for {@code starmap}.
   *
   * @param a first
   * @param b second
   * @param <A> first type
   * @param <B> second type
   */
  public record Pair<A, B>(A a, B b) implements Serializable {}

  record RunnableTask<T>(Runnable task, @Nullable T result) implements SerializableCallable<T> {
    @Override
    @SuppressWarnings("NullAway") // T is the caller's choice; null for submit(Runnable)
    public T call() {
      task.run();
      return result;
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }

  record Spread<A, B, R>(SerializableBiFunction<? super A, ? super B, ? extends R> fn)
      implements SerializableFunction<Pair<A, B>, R> {
    @Override
    public R apply(Pair<A, B> p) {
      return fn.apply(p.a(), p.b());
    }
  }

  /**
   * A chunk of a map: applies {@code fn} to each item in order, failing on the first exception. Items and
   * results travel as {@link CompactList}s.
   *
   * @param fn the function
   * @param items the items
   * @param <T> item type
   * @param <R> result type
   */
  public record Chunk<T, R>(SerializableFunction<? super T, ? extends R> fn, List<T> items)
      implements SerializableCallable<List<R>> {
    @Override
    public List<R> call() {
      List<R> out = new Results<>(items.size());
      for (T item : items) {
        out.add(fn.apply(item));
      }
      return out;
    }

    @java.io.Serial
    private Object writeReplace() {
      return new ChunkForm(fn, CompactList.of(items));
    }
  }

  /** The serialized form of a {@link Chunk}. */
  record ChunkForm(SerializableFunction<?, ?> fn, CompactList items) implements Serializable {
    @java.io.Serial
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object readResolve() {
      return new Chunk(fn, items.items());
    }
  }

  /** A chunk's results: an ArrayList that serializes compactly. */
  static final class Results<R> extends ArrayList<R> {
    @java.io.Serial private static final long serialVersionUID = 1L;

    Results(int capacity) {
      super(capacity);
    }

    @java.io.Serial
    private Object writeReplace() {
      return new ResultsForm(CompactList.of(this));
    }
  }

  /** The serialized form of {@link Results}; reads back as a plain list. */
  record ResultsForm(CompactList items) implements Serializable {
    @java.io.Serial
    private Object readResolve() {
      return items.items();
    }
  }

  /**
   * The user object that defines what kind of work a task is: the task itself, or the function or action
   * inside one of our adapters. Its class is the task's kind for {@code Backend.auto()}.
   *
   * @param task a submitted task
   * @return the object whose class identifies the kind
   */
  public static Object kindOf(Callable<?> task) {
    return switch (task) {
      case RunnableTask<?> r -> r.task();
      case Chunk<?, ?> c -> c.fn() instanceof Spread<?, ?, ?> s ? s.fn() : c.fn();
      default -> task;
    };
  }

  private static final ClassValue<String> NAMES = new ClassValue<>() {
    @Override
    protected String computeValue(Class<?> type) {
      String n = type.getName();
      int slash = n.indexOf('/');
      return slash < 0 ? n.substring(n.lastIndexOf('.') + 1) : n.substring(n.lastIndexOf('.', slash) + 1, slash);
    }
  };

  /**
   * A short, readable name for a task kind, for reports.
   *
   * @param kind an object from {@link #kindOf}
   * @return e.g. {@code MixedDemo.lambda$main$0} or {@code ComputeSome}
   */
  public static String displayName(Object kind) {
    if (kind instanceof String s) {
      return s;
    }
    Class<?> type = kind.getClass();
    if (type.isHidden() && kind instanceof Serializable) {
      // Once per lambda class, not per task: every task's flight-recorder event asks, and the reflection
      // below costs microseconds (a tenth of a process pool's CPU per trivial task while recording).
      java.util.concurrent.atomic.AtomicReference<@Nullable String> cached = LAMBDA_NAMES.get(type);
      String name = cached.get();
      if (name == null) {
        name = lambdaName(kind, type);
        cached.set(name);
      }
      return name;
    }
    return NAMES.get(type);
  }

  /** Every instance of a lambda class has the same capturing class and method, so the name is per class. */
  private static final ClassValue<java.util.concurrent.atomic.AtomicReference<@Nullable String>> LAMBDA_NAMES =
      new ClassValue<>() {
        @Override
        protected java.util.concurrent.atomic.AtomicReference<@Nullable String> computeValue(Class<?> type) {
          return new java.util.concurrent.atomic.AtomicReference<>();
        }
      };

  private static String lambdaName(Object kind, Class<?> type) {
    try {
      java.lang.reflect.Method m = type.getDeclaredMethod("writeReplace");
      m.setAccessible(true);
      if (m.invoke(kind) instanceof java.lang.invoke.SerializedLambda sl) {
        String owner = sl.getCapturingClass().replace('/', '.');
        return owner.substring(owner.lastIndexOf('.') + 1) + "." + sl.getImplMethodName();
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // fall back to the class name
    }
    return NAMES.get(type);
  }
}
