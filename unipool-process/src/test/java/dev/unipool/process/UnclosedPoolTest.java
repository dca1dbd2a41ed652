package dev.unipool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A program that forgets to close its pool still exits when {@code main} returns: the pool's threads are
 * daemon threads, as {@code Backend.threads} documents. Regression: {@code threads(n)} and {@code auto()}
 * used the JDK's non-daemon threads and held the JVM for their 30 s keep-alive ({@code jstack}:
 * non-daemon {@code unipool-1-worker-1}).
 */
class UnclosedPoolTest {

  /** The program: opens a pool, runs one task, lists the threads that would hold the JVM, returns. */
  public static final class Forgetful {
    public static void main(String[] args) throws Exception {
      Pool pool = Pool.of(Backend.parse(args[0])); // never closed, on purpose
      pool.submit(() -> Worker.current().name()).get(); // starts the pool's threads (auto: its probe)
      String holding = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.isAlive() && !t.isDaemon() && t != Thread.currentThread())
          .map(Thread::getName)
          .sorted()
          .collect(Collectors.joining(","));
      System.out.println("NON-DAEMON [" + holding + "]");
      System.out.flush();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"threads:2", "auto", "virtual", "inline", "processes:1"})
  void unclosedPool_letsTheJvmExitWhenMainReturns(String backend) throws Exception {
    Process child = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), Forgetful.class.getName(), backend)
        .redirectErrorStream(true)
        .start();
    try {
      // Generous: a loaded machine starts JVMs slowly. Before the fix the JVM still exited, but only
      // after the 30 s keep-alive; the thread list below is what tells the two apart without timing.
      boolean exited = child.waitFor(120, TimeUnit.SECONDS);
      String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(exited, "the JVM did not exit; output:\n" + out);
      assertEquals(0, child.exitValue(), out);
      List<String> listed = out.lines().filter(l -> l.startsWith("NON-DAEMON ")).toList();
      assertEquals(List.of("NON-DAEMON []"), listed, "threads that would keep the JVM alive; output:\n" + out);
    } finally {
      child.destroyForcibly();
    }
  }
}
