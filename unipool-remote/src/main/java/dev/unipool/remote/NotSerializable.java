package dev.unipool.remote;

import dev.unipool.spi.SubmittedTask;
import org.jspecify.annotations.Nullable;

/**
 * The message for a task that cannot be serialized: it names the offending type and says what to do,
 * including for the JDK objects that {@code ExecutorService}-shaped code wraps around a task.
 */
final class NotSerializable {
  private NotSerializable() {}

  /**
   * Why {@code task} cannot leave this JVM, and how to fix it.
   *
   * @param task the task as the pool got it
   * @param offending the class Java serialization named, or null
   * @param destination where it was to go, e.g. {@code a worker process}
   */
  static String message(Object task, @Nullable String offending, String destination) {
    String type = offending == null ? task.getClass().getName() : offending;
    StringBuilder sb = new StringBuilder("task cannot be sent to ").append(destination).append(": ");
    // A submitted Runnable arrives inside the pool's own adapter: judge what the caller handed the pool.
    Object handed = SubmittedTask.of(task);
    Wrapper wrapper = jdkWrapper(handed.getClass().getName());
    if (wrapper != null) {
      // Code written for ExecutorService hands the pool the JDK's own objects around the user's task; the
      // user can change how they submit, never the JDK class, so say that instead of "make it Serializable".
      sb.append("it is ").append(wrapper.what()).append("; that object cannot leave this JVM, whatever the work inside"
          + " it. Instead, ").append(wrapper.instead()).append(" Or keep this code on an in-process backend (threads,"
          + " virtual, auto), where nothing is serialized.");
    } else if (type.contains("$$Lambda")) {
      sb.append("it is a lambda compiled as a plain (non-serializable) Callable/Runnable (").append(type)
          .append("). A lambda written directly in pool.submit(...) or pool.map(...) is serializable; one that"
              + " went through a variable or parameter typed Callable, Runnable or ExecutorService is not."
              + " Call the Pool method directly, or cast: (Callable<T> & Serializable) () -> ...");
    } else {
      sb.append("it is or captures a ").append(type).append(", which is not java.io.Serializable. Capture only"
          + " serializable values (create clients, streams and connections inside the task)");
      if (isJdkClass(type)) {
        sb.append("; ").append(simpleName(type)).append(" is a JDK class and cannot be made serializable.");
      } else {
        sb.append(", or make ").append(simpleName(type)).append(" implement Serializable.");
      }
    }
    return sb.toString();
  }

  /** A JDK object that ExecutorService-shaped code wrapped around a task: what it is, what to do instead. */
  private record Wrapper(String what, String instead) {}

  /** The wrapper {@code taskClass} is, or null if it is none. */
  private static @Nullable Wrapper jdkWrapper(String taskClass) {
    if (taskClass.startsWith("java.util.concurrent.CompletableFuture$")) {
      return new Wrapper("a CompletableFuture stage (" + taskClass + "), the object that"
          + " CompletableFuture.supplyAsync, runAsync and the then...Async methods hand to their executor",
          "submit the work to the pool: pool.submit(() -> ...) returns a TaskFuture, which is a CompletionStage,"
              + " so chain thenApply, thenCombine... on it (or call toCompletableFuture()).");
    }
    if (taskClass.startsWith("java.util.concurrent.ExecutorCompletionService$")) {
      return new Wrapper("the FutureTask that ExecutorCompletionService wraps around each task (" + taskClass + ")",
          "submit the tasks with pool.submit(...) and take them as they finish with Futures.asCompleted(futures).");
    }
    if (taskClass.equals("java.util.concurrent.Executors$RunnableAdapter")) {
      return new Wrapper("the adapter that Executors.callable(...) puts around a Runnable (" + taskClass + ")",
          "submit the Runnable itself with pool.submit(...); a lambda written there is serializable.");
    }
    if (taskClass.equals("java.util.concurrent.FutureTask")
        || taskClass.startsWith("java.util.concurrent.FutureTask$")) {
      return new Wrapper("a FutureTask (" + taskClass + ") that some code wrapped around the task",
          "submit the Callable or Runnable itself with pool.submit(...).");
    }
    if (isJdkClass(taskClass) && !taskClass.contains("$$Lambda")) {
      return new Wrapper("a " + taskClass + ", a JDK object that some code wrapped around the task",
          "submit your own task with pool.submit(() -> ...).");
    }
    return null;
  }

  private static boolean isJdkClass(String type) {
    return type.startsWith("java.") || type.startsWith("javax.") || type.startsWith("jdk.")
        || type.startsWith("sun.") || type.startsWith("com.sun.");
  }

  private static String simpleName(String type) {
    return type.substring(type.lastIndexOf('.') + 1);
  }
}
