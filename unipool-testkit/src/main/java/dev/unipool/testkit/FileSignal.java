package dev.unipool.testkit;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-shot signal between a test and its tasks that works across processes: firing creates a file,
 * waiting polls for it. Tasks capture signals (they are serializable values), so a test can learn that a
 * task has started, or release a task it holds, on any backend whose workers share the file system.
 *
 * <pre>{@code
 * FileSignal started = FileSignal.in(tempDir);
 * TaskFuture<?> f = pool.submit(() -> { started.fire(); return work(); });
 * started.await(Duration.ofSeconds(30));   // the task is running now
 * }</pre>
 *
 * @param path the absolute path of the file whose existence means "fired"
 */
public record FileSignal(String path) implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final AtomicLong IDS = new AtomicLong();
  private static final Duration POLL = Duration.ofMillis(2);

  /** Checks the path. */
  public FileSignal {
    Objects.requireNonNull(path, "path");
    if (path.isBlank()) {
      throw new IllegalArgumentException("path must not be blank");
    }
  }

  /**
   * A new, unfired signal with a unique file name in {@code dir}.
   *
   * @param dir a directory every worker can see, typically a JUnit {@code @TempDir}
   * @return the signal
   */
  public static FileSignal in(Path dir) {
    return new FileSignal(dir.toAbsolutePath().resolve("signal-" + IDS.incrementAndGet()).toString());
  }

  /**
   * Fires the signal. Firing again does nothing.
   *
   * @throws UncheckedIOException if the file cannot be created
   */
  public void fire() {
    try {
      Files.createFile(Path.of(path));
    } catch (FileAlreadyExistsException e) {
      // fired before: fine
    } catch (IOException e) {
      throw new UncheckedIOException("cannot fire signal " + path, e);
    }
  }

  /**
   * Whether the signal has been fired.
   *
   * @return true once {@link #fire()} has been called anywhere
   */
  public boolean isFired() {
    return Files.exists(Path.of(path));
  }

  /**
   * Waits until the signal is fired, polling every few milliseconds.
   *
   * @param timeout the most to wait
   * @throws InterruptedException if the waiting thread is interrupted (so a waiting task can be cancelled)
   * @throws TimeoutException if the signal was not fired within {@code timeout}
   */
  public void await(Duration timeout) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isFired()) {
      if (System.nanoTime() - deadline >= 0) {
        throw new TimeoutException("signal " + path + " was not fired within " + timeout.toMillis() + " ms");
      }
      Thread.sleep(POLL);
    }
  }
}
