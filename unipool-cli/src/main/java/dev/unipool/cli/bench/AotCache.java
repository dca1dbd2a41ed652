package dev.unipool.cli.bench;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.jspecify.annotations.Nullable;

/**
 * A JDK AOT cache for worker JVMs (JEP 483/514): one training pool records it at its worker's exit
 * ({@code -XX:AOTCacheOutput}), later pools start with it ({@code -XX:AOTCache}). The JDK only accepts a
 * cache for a class path made of jar files, so with directories on it (a build's {@code target/classes})
 * there is nothing to measure.
 *
 * @param backend the process backend that starts its workers with the cache, or null
 * @param note how the cache was made, or why there is none
 */
record AotCache(Backend.@Nullable Processes backend, String note) {

  static AotCache prepare(Backend.Processes base, Path dir) {
    if (Runtime.version().feature() < 25) {
      return new AotCache(null, "needs JDK 25 or newer, this is " + Runtime.version());
    }
    String classPath = System.getProperty("java.class.path", "");
    // -1 keeps a trailing empty entry: like any empty entry it means the current directory, not a jar.
    for (String entry : classPath.split(File.pathSeparator, -1)) {
      String bad = notAJar(entry);
      if (bad != null) {
        return new AotCache(null, "the class path is not all jars (" + bad + "); the JDK AOT cache needs jars only");
      }
    }
    Path file = dir.resolve("workers.aot");
    long t0 = System.nanoTime();
    try {
      Backend.Processes training = Backend.processes(1).output(Backend.Processes.Output.DISCARD)
          .jvmArgs(with(base.jvmArgs(), "-XX:AOTCacheOutput=" + file));
      try (Pool pool = Pool.of(training)) {
        train(pool);
      }
      // The worker writes the cache as it exits; close() has waited for that exit.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.isRegularFile(file) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      if (!Files.isRegularFile(file) || Files.size(file) == 0) {
        return new AotCache(null, "the training run wrote no cache");
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      return new AotCache(base.jvmArgs(with(base.jvmArgs(), "-XX:AOTCache=" + file)),
          String.format("cache of %.1f MB recorded by a one-worker training run in %.1f s (not counted)",
              Files.size(file) / 1e6, seconds));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new AotCache(null, "interrupted while recording the cache");
    } catch (Exception e) {
      return new AotCache(null, "recording the cache failed: " + e);
    }
  }

  /** The first entry that is not a jar, looking into a jar's manifest Class-Path too (as test runners use), or null. */
  private static @Nullable String notAJar(String entry) {
    Path path = Path.of(entry);
    if (!entry.endsWith(".jar") || !Files.isRegularFile(path)) {
      return entry;
    }
    try (JarFile jar = new JarFile(path.toFile())) {
      Manifest manifest = jar.getManifest();
      String refs = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      if (refs != null) {
        for (String ref : refs.strip().split("\\s+", -1)) { // stripped: no empty string at either end
          if (!ref.isEmpty() && !ref.endsWith(".jar")) {
            return ref;
          }
        }
      }
      return null;
    } catch (IOException e) {
      return entry;
    }
  }

  /** Runs what the bench will run, so that the classes it needs are in the cache. */
  private static void train(Pool pool) throws Exception {
    JavaSuite suite = new JavaSuite();
    List<TaskFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      futures.add(pool.submit(() -> 1));
    }
    for (TaskFuture<Integer> f : futures) {
      f.get();
    }
    Figure scratch = new Figure(Workload.MAP);
    suite.map(pool, 5_000, scratch);
    suite.payload(pool, JavaSuite.payloadOf(100_000), new Figure(Workload.PAYLOAD_SMALL));
    pool.submit(new JavaSuite.Segment(0, 10_000)).get();
  }

  private static String[] with(List<String> args, String extra) {
    List<String> all = new ArrayList<>(args);
    all.add(extra);
    return all.toArray(String[]::new);
  }
}
