package dev.unipool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ComputeDemoTest {

  @ParameterizedTest
  @ValueSource(strings = {"threads", "virtual", "inline", "processes"})
  void printsEachSegmentsWorkerAndResult_andASpeedup(String backend) {
    Cli.Result r = Cli.run("demo", "compute", "--backend", backend, "--workers", "3", "--size", "300000");

    assertEquals(0, r.code(), r::toString);
    List<String> lines = r.outLines();
    String pid = backend.equals("processes") ? "\\d+" : Long.toString(ProcessHandle.current().pid());
    for (int n = 1; n <= 3; n++) {
      long start = 300_000L * (n - 1) / 3;
      long end = 300_000L * n / 3;
      String expected = String.format("\\QSegment %d/3  (%,d, %,d]  result %,d  PID: \\E%s, worker: .*",
          n, start, end, CourseMath.doMath(start, end), pid);
      assertTrue(lines.stream().anyMatch(l -> l.matches(expected)), () -> expected + " in\n" + r.out());
    }
    assertTrue(lines.stream().anyMatch(l -> l.matches("Speedup: \\d+\\.\\d\\dx vs serial .*")), r::toString);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("Serial run:") && l.contains("result ")), r::toString);
    // Worker start-up and first compilation are reported apart, before the timed segments.
    int warmUp = indexOf(lines, "Warm-up: .*, not counted \\(pool start .*, then a first do_math in [1-3] JVMs?\\)");
    assertTrue(warmUp >= 0 && warmUp < indexOf(lines, "Segment 1/3 .*"), r::toString);
    assertEquals("", r.err());
  }

  private static int indexOf(List<String> lines, String regex) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).matches(regex)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void processes_warmEveryWorkerJvmBeforeTheTimedRun() {
    Cli.Result r = Cli.run("demo", "compute", "--json", "--backend", "processes", "--workers", "2", "--size", "100000");

    assertEquals(0, r.code(), r::toString);
    Map<String, Object> doc = MiniJson.object(MiniJson.parse(r.out()));
    assertEquals(2.0, doc.get("warmedJvms"), r::toString);
    assertTrue(doc.get("warmUpSeconds") instanceof Double w && w > 0, r::toString);
    assertTrue(doc.get("poolStartSeconds") instanceof Double, r::toString);
  }

  @Test
  void doMath_matchesTheCourse() {
    // do_math(0, 10) in Python: sum over pos = 1..10 of |pos - 1e6| / 10, truncated.
    assertEquals(999_994L, CourseMath.doMath(0, 10));
    assertEquals(0L, CourseMath.doMath(5, 5));
  }

  @Test
  void json_hasSegmentsSerialRunAndSpeedup() {
    Cli.Result r = Cli.run("demo", "compute", "--json", "--workers", "2", "--size", "100000");

    assertEquals(0, r.code(), r::toString);
    Map<String, Object> doc = MiniJson.object(MiniJson.parse(r.out()));
    assertEquals("compute", doc.get("demo"));
    assertEquals("threads:2", doc.get("backend"));
    assertEquals(100_000.0, doc.get("size"));
    assertTrue(doc.get("speedup") instanceof Double);
    assertEquals((double) CourseMath.doMath(0, 100_000), MiniJson.object(doc.get("serial")).get("result"));
    List<Object> segments = MiniJson.array(doc.get("segments"));
    assertEquals(2, segments.size());
    assertEquals((double) CourseMath.doMath(50_000, 100_000), MiniJson.object(segments.get(1)).get("result"));
  }
}
