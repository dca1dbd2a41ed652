package dev.unipool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev.unipool.* flight-recorder events, recorded in this JVM and read back from the file. */
class FlightRecorderEventsTest {
  private static final long PID = ProcessHandle.current().pid();

  @TempDir Path dir;

  private List<RecordedEvent> record(String event, ThrowingRunnable work) throws Exception {
    Path file = dir.resolve("test.jfr");
    try (Recording r = new Recording()) {
      r.enable(event).withThreshold(Duration.ZERO);
      r.start();
      work.run();
      r.stop();
      r.dump(file);
    }
    return RecordingFile.readAllEvents(file).stream().filter(e -> e.getEventType().getName().equals(event)).toList();
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void taskEvents_carryPoolWorkerDurationsAndOutcome() throws Exception {
    List<RecordedEvent> events = record("dev.unipool.Task", () -> {
      try (Pool pool = Pool.of(Backend.threads(2), PoolOptions.defaults().name("jfr-test"))) {
        assertEquals(1, pool.submit(() -> 1).get());
        assertEquals(2, pool.submit(() -> 2).get());
        TaskFuture<Integer> bad = pool.submit(() -> {
          throw new IllegalStateException("boom");
        });
        assertThrows(ExecutionException.class, bad::get);
        CountDownLatch never = new CountDownLatch(1);
        TaskFuture<Boolean> slow = pool.submit(() -> never.await(1, TimeUnit.MINUTES),
            TaskOptions.timeout(Duration.ofMillis(50)));
        assertThrows(ExecutionException.class, slow::get);
      }
    });
    assertEquals(4, events.size(), events::toString);
    Map<String, Long> outcomes =
        events.stream().collect(Collectors.groupingBy(e -> e.getString("outcome"), Collectors.counting()));
    assertEquals(Map.of("completed", 2L, "failed", 1L, "timed out", 1L), outcomes);
    for (RecordedEvent e : events) {
      assertEquals("jfr-test", e.getString("pool"));
      assertEquals("threads:2", e.getString("backend"));
      assertTrue(e.getString("worker").startsWith("jfr-test-"), e::toString);
      assertEquals(PID, e.getLong("workerPid"));
      assertFalse(e.getDuration("queued").isNegative(), e::toString);
      assertFalse(e.getDuration("run").isNegative(), e::toString);
      assertFalse(e.getDuration().isNegative(), "the event spans submit to outcome");
      assertEquals(0, e.getLong("bytesSent"), "nothing is serialized in process");
    }
    RecordedEvent failed = events.stream().filter(e -> e.getString("outcome").equals("failed")).findFirst().orElseThrow();
    assertEquals(IllegalStateException.class.getName(), failed.getString("exception"));
    RecordedEvent ok = events.stream().filter(e -> e.getString("outcome").equals("completed")).findFirst().orElseThrow();
    assertNull(ok.getString("exception"));
  }

  @Test
  void taskEvents_areNotMadeWithoutARecording() throws Exception {
    // A recording of something else: the task event is not enabled, so no task pays for it.
    List<RecordedEvent> none = record("jdk.ThreadSleep", () -> {
      try (Pool pool = Pool.of(Backend.inline())) {
        pool.submit(() -> 1).get();
      }
    });
    assertTrue(none.stream().noneMatch(e -> e.getEventType().getName().startsWith("dev.unipool")));
  }

  @Test
  void routeEvents_sayWhereAutoSentAKindAndWhy() throws Exception {
    List<RecordedEvent> events = record("dev.unipool.Route", () -> {
      try (Pool pool = Pool.of(Backend.auto(), PoolOptions.defaults().name("auto-jfr"))) {
        pool.submit(() -> 1, TaskOptions.hint(Hint.IO).withKind("fetch")).get();
        pool.submit(() -> 2, TaskOptions.hint(Hint.CPU).withKind("crunch")).get();
      }
    });
    Map<String, RecordedEvent> byKind =
        events.stream().collect(Collectors.toMap(e -> e.getString("kind"), e -> e, (a, b) -> b));
    assertEquals("virtual threads", byKind.get("fetch").getString("route"), events::toString);
    assertEquals("hint IO", byKind.get("fetch").getString("reason"));
    assertNull(byKind.get("fetch").getString("previous"));
    assertEquals("platform threads", byKind.get("crunch").getString("route"));
    assertEquals("auto-jfr", byKind.get("crunch").getString("pool"));
  }
}
