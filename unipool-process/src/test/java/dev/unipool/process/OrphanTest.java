package dev.unipool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A parent killed with SIGKILL leaves no workers behind. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OrphanTest {

  /** The parent: opens a pool, prints its workers' pids, then waits to be killed. */
  public static final class Parent {
    public static void main(String[] args) throws Exception {
      Pool pool = Pool.of(Backend.processes(2));
      List<Long> pids = pool.map(i -> {
        java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); // keep both workers busy
        return ProcessHandle.current().pid();
      }, List.of(1, 2, 3, 4), dev.unipool.MapOptions.chunkSize(1));
      System.out.println("PIDS " + pids.stream().distinct().map(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow());
      System.out.flush();
      Thread.sleep(600_000);
    }
  }

  @Test
  void parentKilledWithSigkill_workersExitWithinSeconds() throws Exception {
    Process parent = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), Parent.class.getName())
        .redirectErrorStream(true)
        .start();
    List<Long> workers = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("PIDS ")) {
          for (String p : line.substring(5).split(",")) {
            workers.add(Long.parseLong(p));
          }
          break;
        }
      }
      assertTrue(!workers.isEmpty(), "parent reported its workers");
      for (long pid : workers) {
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "worker alive before");
      }
      parent.destroyForcibly(); // SIGKILL: no shutdown hooks run in the parent
      assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      List<Long> alive = workers;
      while (System.nanoTime() < deadline) {
        alive = workers.stream().filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)).toList();
        if (alive.isEmpty()) {
          break;
        }
        Thread.sleep(20); // polling the OS for the workers to disappear
      }
      assertEquals(List.of(), alive, "workers still alive 10 s after the parent was killed");
    } finally {
      parent.destroyForcibly();
    }
  }
}
