package dev.unipool.spi;

import dev.unipool.internal.TaskAdapters;
import java.util.concurrent.Callable;

/**
 * What the caller handed the pool, seen from a task the pool may have wrapped: a submitted
 * {@link Runnable} reaches a backend inside an adapter, a map chunk inside a chunk of items. Backends use
 * it to talk about the caller's object, for example to name it when it cannot be serialized.
 */
public final class SubmittedTask {
  private SubmittedTask() {}

  /**
   * The caller's object inside {@code task}: the {@code Runnable} of a submitted runnable, the function of a
   * map chunk, otherwise {@code task} itself. Pure; safe from any thread.
   *
   * @param task a task as a backend receives it
   * @return the object the caller handed to the pool
   */
  public static Object of(Object task) {
    return task instanceof Callable<?> c ? TaskAdapters.kindOf(c) : task;
  }
}
