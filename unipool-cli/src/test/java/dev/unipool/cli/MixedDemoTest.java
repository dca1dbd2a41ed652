package dev.unipool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    // Each row says what was declared and where the task went: the two agree.
    assertEquals(3, lines.stream().filter(l -> l.matches(" +compute_some +hint CPU -> platform threads .*")).count(),
        r::toString);
    assertEquals(8, lines.stream().filter(l -> l.matches(" +\\w+ +hint IO -> virtual threads .*")).count(),
        r::toString);
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

  /**
   * Regression: rows printed the course's label ("download_some io-bound") while --explain said auto had
   * sent download_some to platform threads. Each row now says where its task ran, which is the probe (the
   * first of each kind), the kind's route in --explain, or the route it had before (explain says "was").
   */
  @Test
  void auto_eachRowSaysWhereItsTaskRan_inAgreementWithExplain() {
    Cli.Result r = Cli.run("demo", "mixed", "--size", "2000000", "--explain");

    assertEquals(0, r.code(), r::toString);
    List<String> lines = r.outLines();
    Pattern row = Pattern.compile(" +(\\w+) +-> (virtual threads|platform threads"
        + "|platform threads \\(first of its kind, measured\\)) +unipool-\\S+ \\(PID \\d+\\) .*");
    Pattern explained = Pattern.compile(" +(\\w+) +-> (virtual threads|platform threads) +(.*; \\d+ run\\(s\\).*)");
    Map<String, String> routeOf = new HashMap<>();
    Map<String, String> earlierOf = new HashMap<>();
    for (String l : lines) {
      Matcher m = explained.matcher(l);
      if (m.matches()) {
        routeOf.put(m.group(1), m.group(2));
        Matcher was = Pattern.compile("\\(was (virtual threads|platform threads):").matcher(m.group(3));
        if (was.find()) {
          earlierOf.put(m.group(1), was.group(1));
        }
      }
    }
    assertEquals(Set.of("compute_some", "download_some", "download_some_more", "wait_some"), routeOf.keySet(),
        r::toString);
    int rows = 0;
    for (String l : lines) {
      Matcher m = row.matcher(l);
      if (m.matches()) {
        rows++;
        String kind = m.group(1);
        String ran = m.group(2);
        assertTrue(ran.startsWith("platform threads (first") || ran.equals(routeOf.get(kind))
            || ran.equals(earlierOf.get(kind)), () -> kind + " ran on " + ran + ", explain disagrees:\n" + r.out());
      }
    }
    assertEquals(11, rows, r::toString);
    assertFalse(r.out().contains("io-bound") || r.out().contains("cpu-bound"), "labels only --hints declares");
  }

  @Test
  void explicitBackend_runsEverythingThere() {
    Cli.Result r = Cli.run("demo", "mixed", "--size", "100000", "--backend", "threads", "--workers", "1");

    assertEquals(0, r.code(), r::toString);
    assertEquals(11, r.outLines().stream().filter(l -> l.matches(" +\\w+ +on threads:1 +unipool-.*")).count(),
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
      assertTrue(String.valueOf(task.get("route")).startsWith("-> "), task::toString);
    }
  }
}
