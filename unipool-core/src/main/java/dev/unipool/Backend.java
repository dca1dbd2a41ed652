package dev.unipool;

import java.util.Locale;

/**
 * How a {@link Pool} runs its tasks: an immutable configuration value, chosen once and passed to
 * {@link Pool#of(Backend)}. Switching backends changes nothing else in the calling code.
 *
 * <p>Create instances with the static factories; each validates its arguments at the call. Backends are
 * also named by a short text form, used by {@link #parse(String)} and {@code UNIPOOL_BACKEND}:
 * {@code inline}, {@code threads[:N]}, {@code virtual}. {@link #toString()} returns that form.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public sealed interface Backend permits Backend.Inline, Backend.Threads, Backend.Virtual {

  /**
   * Runs every task in the submitting thread, before {@code submit} returns. Useful for debugging and as
   * a baseline; it offers no concurrency, so a task cannot be cancelled or timed out while it runs except
   * by interrupting the submitting thread (which is what a task timeout does).
   *
   * @return the inline backend
   */
  static Backend inline() {
    return Inline.INSTANCE;
  }

  /**
   * Runs tasks on a fixed number of platform threads (the counterpart of Python's
   * {@code ThreadPoolExecutor(max_workers=n)}). Threads start on demand and are daemon threads.
   *
   * @param threads the number of worker threads, at least 1
   * @return the backend
   * @throws IllegalArgumentException if {@code threads < 1}
   */
  static Backend threads(int threads) {
    return new Threads(threads);
  }

  /**
   * Runs tasks on platform threads, one per available processor.
   *
   * @return the backend
   */
  static Backend threads() {
    return new Threads(Runtime.getRuntime().availableProcessors());
  }

  /**
   * Runs each task on its own virtual thread: the counterpart of asyncio's "do more at once while
   * waiting", without colouring functions. Best for tasks that mostly wait (I/O, sleeps, locks).
   * Virtual threads are not time-sliced: long CPU-bound tasks here can delay every other virtual thread.
   *
   * @return the virtual-thread backend
   */
  static Backend virtual() {
    return Virtual.INSTANCE;
  }

  /**
   * Parses the text form of a backend, as used by {@code UNIPOOL_BACKEND}: {@code inline},
   * {@code threads} (one per processor), {@code threads:N}, {@code virtual}. Case is ignored.
   *
   * @param spec the text form
   * @return the backend it names
   * @throws IllegalArgumentException if {@code spec} names no known backend; the message lists the valid forms
   */
  static Backend parse(String spec) {
    String s = spec.strip().toLowerCase(Locale.ROOT);
    int colon = s.indexOf(':');
    String name = colon < 0 ? s : s.substring(0, colon);
    String arg = colon < 0 ? null : s.substring(colon + 1);
    try {
      switch (name) {
        case "inline", "virtual" -> {
          if (arg != null) {
            break;
          }
          return name.equals("inline") ? inline() : virtual();
        }
        case "threads" -> {
          return arg == null ? threads() : threads(Integer.parseInt(arg));
        }
        default -> {}
      }
    } catch (IllegalArgumentException e) { // NumberFormatException too
      throw new IllegalArgumentException(
          "'" + spec + "' is not a valid backend: " + e.getMessage() + ". Valid backends: " + VALID_FORMS, e);
    }
    throw new IllegalArgumentException("'" + spec + "' is not a valid backend. Valid backends: " + VALID_FORMS);
  }

  /** The text forms {@link #parse(String)} accepts, for error messages and help text. */
  String VALID_FORMS = "inline, threads, threads:N (N >= 1), virtual";

  /**
   * The number of tasks this backend can run at the same time, used to size chunks and in-flight
   * windows; {@link Integer#MAX_VALUE} where there is no fixed limit.
   *
   * @return the parallelism, at least 1
   */
  int parallelism();

  /** Configuration of {@link Backend#inline()}. */
  record Inline() implements Backend {
    static final Inline INSTANCE = new Inline();

    @Override
    public int parallelism() {
      return 1;
    }

    @Override
    public String toString() {
      return "inline";
    }
  }

  /**
   * Configuration of {@link Backend#threads(int)}.
   *
   * @param threads the number of platform worker threads, at least 1
   */
  record Threads(int threads) implements Backend {
    /**
     * Validates the thread count.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public Threads {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + threads);
      }
    }

    @Override
    public int parallelism() {
      return threads;
    }

    @Override
    public String toString() {
      return "threads:" + threads;
    }
  }

  /** Configuration of {@link Backend#virtual()}. */
  record Virtual() implements Backend {
    static final Virtual INSTANCE = new Virtual();

    @Override
    public int parallelism() {
      return Integer.MAX_VALUE;
    }

    @Override
    public String toString() {
      return "virtual";
    }
  }
}
