package dev.unipool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code unipool top PID --once} against another JVM with an open pool. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopCommandTest {
  @Test
  void once_showsThePoolsOfAnotherJvm() throws Exception {
    Process target = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), TopTarget.class.getName()))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try {
      BufferedReader lines = new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("ready", lines.readLine(), "the target JVM opened its pool");

      Cli.Result r = Cli.run("top", Long.toString(target.pid()), "--once");

      assertEquals(0, r.code(), r::toString);
      assertTrue(r.out().contains("unipool top - pid " + target.pid() + ", 1 pool(s)"), r::toString);
      assertTrue(r.out().contains("top-target: pool top-target (threads:2): 5 submitted, 5 completed, 0 failed"),
          r::toString);
      assertTrue(r.out().contains("top-target-"), () -> "a line per worker thread: " + r);
    } finally {
      target.getOutputStream().close();
      if (!target.waitFor(30, TimeUnit.SECONDS)) {
        target.destroyForcibly();
      }
    }
  }

  @Test
  void noSuchJvm_isAUsageError() {
    Cli.Result r = Cli.run("top", "999999999", "--once");
    assertEquals(Main.USAGE, r.code(), r::toString);
    assertTrue(r.err().contains("cannot attach to pid 999999999"), r::toString);
  }
}
