package dev.unipool.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.PoolStats;
import dev.unipool.TaskFuture;
import dev.unipool.WorkerCrashedException;
import dev.unipool.WorkerStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Flight-recorder events of the worker-process backend, and recordings made by the workers themselves. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessFlightRecorderTest {
  private static final long PATIENCE = 60;

  @TempDir Path tmp;

  @Test
  void workerStartExitAndTaskEvents_tellWhoRanWhatAndHowWorkersEnded() throws Exception {
    Path file = tmp.resolve("parent.jfr");
    long crashedPid;
    try (Recording r = new Recording()) {
      for (String e : List.of("dev.unipool.Task", "dev.unipool.WorkerStart", "dev.unipool.WorkerExit")) {
        r.enable(e).withThreshold(Duration.ZERO);
      }
      r.start();
      try (Pool pool = Pool.of(Backend.processes(2), PoolOptions.defaults().name("jfr-processes"))) {
        assertEquals("x".repeat(1000), pool.submit(() -> "x".repeat(1000)).get(PATIENCE, TimeUnit.SECONDS));
        TaskFuture<Long> crash = pool.submit(() -> {
          Runtime.getRuntime().halt(3);
          return ProcessHandle.current().pid();
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> crash.get(PATIENCE, TimeUnit.SECONDS));
        crashedPid = assertInstanceOf(WorkerCrashedException.class, e.getCause()).pid();
        awaitReplaced(pool);
      }
      r.stop();
      r.dump(file);
    }
    List<RecordedEvent> all = RecordingFile.readAllEvents(file);
    List<RecordedEvent> starts = named(all, "dev.unipool.WorkerStart");
    List<RecordedEvent> exits = named(all, "dev.unipool.WorkerExit");
    List<RecordedEvent> tasks = named(all, "dev.unipool.Task");

    assertEquals(3, starts.size(), () -> "two workers and one replacement: " + starts);
    assertEquals(1, starts.stream().filter(s -> s.getInt("restarts") == 1).count(), starts::toString);
    for (RecordedEvent s : starts) {
      assertEquals("jfr-processes", s.getString("pool"));
      assertTrue(s.getLong("pid") > 0 && s.getLong("pid") != ProcessHandle.current().pid(), s::toString);
    }

    RecordedEvent crashed = exits.stream().filter(x -> x.getLong("pid") == crashedPid).findFirst().orElseThrow();
    assertEquals(3, crashed.getInt("exitCode"), crashed::toString);
    assertEquals(0, crashed.getInt("signal"));
    assertEquals("exited on its own", crashed.getString("reason"));
    List<RecordedEvent> stopped = exits.stream().filter(x -> x.getLong("pid") != crashedPid).toList();
    assertEquals(2, stopped.size(), () -> "the two workers alive at close: " + exits);
    for (RecordedEvent x : stopped) {
      assertEquals("stopped by the pool", x.getString("reason"), x::toString);
      assertEquals(0, x.getInt("exitCode"), x::toString);
    }

    RecordedEvent big = tasks.stream().filter(t -> t.getString("outcome").equals("completed")).findFirst().orElseThrow();
    assertTrue(big.getLong("bytesSent") > 0, big::toString);
    assertTrue(big.getLong("bytesReceived") > 1000, () -> "a 1,000-character result came back: " + big);
    assertNotEquals(ProcessHandle.current().pid(), big.getLong("workerPid"));
    assertTrue(big.getString("worker").startsWith("worker-"), big::toString);
    RecordedEvent lost = tasks.stream().filter(t -> t.getString("outcome").equals("failed")).findFirst().orElseThrow();
    assertEquals(WorkerCrashedException.class.getName(), lost.getString("exception"));
  }

  @Test
  void workersRecordThemselves_withTheDocumentedJvmArgs() throws Exception {
    // The README's line: each worker JVM writes its own recording when it exits (a normal close).
    String pattern = tmp.resolve("worker-%p.jfr").toString();
    long pid;
    try (Pool pool = Pool.of(Backend.processes(1)
        .jvmArgs("-XX:StartFlightRecording=filename=" + pattern + ",settings=profile", "-Xlog:jfr+startup=error"))) {
      pid = pool.submit(() -> ProcessHandle.current().pid()).get(PATIENCE, TimeUnit.SECONDS);
    }
    Path file = tmp.resolve("worker-" + pid + ".jfr");
    assertTrue(Files.isRegularFile(file), () -> "no " + file);
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.JVMInformation")
        && e.getString("jvmArguments").contains("unipool.worker.name=worker-1")), "the worker's own JVM");
  }

  private static List<RecordedEvent> named(List<RecordedEvent> all, String name) {
    return all.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
  }

  private static void awaitReplaced(Pool pool) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE);
    PoolStats s;
    while (!((s = pool.stats()).workers().stream().mapToInt(WorkerStats::restarts).sum() == 1
        && s.workers().stream().allMatch(w -> w.state() == WorkerStats.State.IDLE))) {
      assertTrue(System.nanoTime() < deadline, s::table);
      Thread.sleep(10); // polling the pool's stats until the replacement is ready
    }
  }
}
