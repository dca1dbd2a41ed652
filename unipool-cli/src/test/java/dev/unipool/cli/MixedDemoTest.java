package dev.unipool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MixedDemoTest {

  @Test
  void routesByHint_andGathersEveryTask() {
    Cli.Result r = Cli.run("demo", "mixed", "--size", "100000", "--hints", "--explain");

    assertEquals(0, r.code(), r::toString);
    List<String> lines = r.outLines();
    assertTrue(lines.stream().anyMatch(l -> l.matches(" +compute_some +-> platform threads +hint CPU.*")), r::toString);
    assertTrue(lines.stream().anyMatch(l -> l.matches(" +wait_some +-> virtual threads +hint IO.*")), r::toString);
    assertEquals(3, lines.stream().filter(l -> l.equals("Computing...")).count(), r::toString);
    assertEquals(4, lines.stream().filter(l -> l.equals("Waiting...")).count(), r::toString);
    assertEquals(2, lines.stream().filter(l -> l.startsWith("Downloaded (more) ")).count(), r::toString);
    assertEquals(2, lines.stream().filter(l -> l.matches("Downloaded [\\d,]+ characters\\.")).count(), r::toString);
    assertEquals(3, lines.stream().filter(l -> l.matches(" +compute_some +cpu-bound +on auto .*")).count(),
        r::toString);
    assertEquals(8, lines.stream().filter(l -> l.matches(" +\\w+ +io-bound +on auto .*")).count(), r::toString);
    assertTrue(lines.stream().anyMatch(l -> l.matches("Done in \\d+\\.\\d\\d seconds \\(11 tasks\\)\\.")), r::toString);
  }

  @Test
  void auto_measuresEachKind_andExplainsWhereItWent() {
    Cli.Result r = Cli.run("demo", "mixed", "--size", "2000000", "--explain");

    assertEquals(0, r.code(), r::toString);
    List<String> lines = r.outLines();
    assertTrue(lines.contains("auto: 4 kind(s) of task"), r::toString);
    assertTrue(lines.stream().anyMatch(l -> l.matches(" +compute_some +-> platform threads .*")), r::toString);
    assertTrue(lines.stream().anyMatch(l -> l.matches(" +wait_some +-> virtual threads .*")), r::toString);
  }

  @Test
  void explicitBackend_runsEverythingThere() {
    Cli.Result r = Cli.run("demo", "mixed", "--size", "100000", "--backend", "threads", "--workers", "1");

    assertEquals(0, r.code(), r::toString);
    assertEquals(11, r.outLines().stream().filter(l -> l.matches(" +\\w+ +\\S+-bound +on threads:1 .*")).count(),
        r::toString);
  }

  @Test
  void json_listsElevenTasksWithTheirBackend() {
    Cli.Result r = Cli.run("demo", "mixed", "--size", "100000", "--json");

    assertEquals(0, r.code(), r::toString);
    Map<String, Object> doc = MiniJson.object(MiniJson.parse(r.out()));
    assertEquals("mixed", doc.get("demo"));
    assertEquals("auto", doc.get("routing"));
    List<Object> tasks = MiniJson.array(doc.get("tasks"));
    assertEquals(11, tasks.size());
    for (Object t : tasks) {
      Map<String, Object> task = MiniJson.object(t);
      assertEquals(Boolean.TRUE, task.get("ok"), task::toString);
      assertEquals("auto", task.get("backend"), task::toString);
    }
  }
}
