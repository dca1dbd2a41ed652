package dev.unipool.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xml.sax.InputSource;

/**
 * Runs the whole suite once in its tiny mode on every in-JVM backend and on worker processes, and checks
 * the shape of what it writes. No test here asserts a timing: the machine decides those.
 */
class BenchCommandTest {
  private static final List<String> BACKENDS = List.of("inline", "threads:2", "virtual", "processes:2");

  @TempDir static Path dir;
  private static String stdout = "";
  private static int exitCode;

  @BeforeAll
  static void runTinySuite() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o); // workers' output is forwarded to System.out
      exitCode = Main.run(o, e, "bench", "--tiny", "--backends", "inline,threads,virtual,processes",
          "--workers", "2", "--json", dir.resolve("bench.json").toString(), "--html", dir.resolve("bench.html").toString());
    } finally {
      System.setOut(oldOut);
    }
    stdout = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, exitCode, () -> "exit code; stdout:\n" + stdout + "\nstderr:\n" + err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void json_hasMachineSettingsWorkloadsAndRatios() throws Exception {
    Map<String, Object> doc = object(JsonReader.parse(Files.readString(dir.resolve("bench.json"))));
    assertEquals("unipool-bench/1", doc.get("schema"));
    assertTrue(String.valueOf(doc.get("command")).startsWith("unipool bench --tiny"), () -> "" + doc.get("command"));
    Map<String, Object> machine = object(doc.get("machine"));
    assertInstanceOf(Double.class, machine.get("cores"));
    assertTrue(object(machine.get("jvm")).containsKey("version"));
    assertTrue(object(machine.get("os")).containsKey("name"));
    assertEquals("tiny", object(doc.get("settings")).get("mode"));
    assertEquals(Workload.values().length, array(doc.get("workloads")).size());
    assertFalse(array(doc.get("ratios")).isEmpty());
    assertEquals("skipped", object(doc.get("peers")).get("status"));
  }

  @Test
  void json_fixedSizeMapRows_eachMapAsManyItemsAsTheLargestRow() throws Exception {
    Map<String, Object> doc = object(JsonReader.parse(Files.readString(dir.resolve("bench.json"))));
    for (Object b : array(doc.get("backends"))) {
      Map<String, Object> results = object(object(b).get("results"));
      for (Workload w : List.of(Workload.MAP_10K, Workload.MAP_100K, Workload.MAP_1M)) {
        Map<String, Object> params = object(object(results.get(w.id)).get("params"));
        int items = ((Number) params.get("items")).intValue();
        int maps = ((Number) params.get("maps")).intValue();
        assertEquals(Mode.TINY.mapRepeats(w), maps, w.id + ": " + params);
        assertEquals(5_000 / items, maps, w.id + ": " + params); // the tiny mode's largest row: 5,000 items
      }
    }
  }

  @Test
  void json_tasksAtOnce_measuredAfterUnmeasuredRoundsOfTheSameSize() throws Exception {
    Map<String, Object> doc = object(JsonReader.parse(Files.readString(dir.resolve("bench.json"))));
    for (Object b : array(doc.get("backends"))) {
      Map<String, Object> t = object(object(object(b).get("results")).get("throughput"));
      Map<String, Object> extras = object(t.get("extras"));
      for (Object rounds : array(object(extras.get("warm_up_rounds")).get("samples"))) {
        // Two rounds no faster than the best end the warm-up, so there are at least three, never more than the cap.
        double r = (Double) rounds;
        assertTrue(r >= 3 && r <= JavaSuite.MAX_WARM_ROUNDS, () -> object(b).get("name") + ": " + extras);
      }
      List<Object> first = array(object(extras.get("first_round_per_s")).get("samples"));
      assertEquals(2, first.size(), () -> "one per repetition: " + extras);
      assertTrue(first.stream().allMatch(x -> (Double) x > 0), () -> "" + extras);
      assertEquals(Mode.TINY.tasks(), ((Number) object(t.get("params")).get("tasks")).intValue(), () -> "" + t);
    }
  }

  @Test
  void json_everyBackendHasEveryFigure_orAnExplicitNa() throws Exception {
    Map<String, Object> doc = object(JsonReader.parse(Files.readString(dir.resolve("bench.json"))));
    List<Object> backends = array(doc.get("backends"));
    List<String> names = new ArrayList<>();
    for (Object b : backends) {
      Map<String, Object> backend = object(b);
      String name = String.valueOf(backend.get("name"));
      names.add(name);
      Map<String, Object> results = object(backend.get("results"));
      for (Workload w : Workload.values()) {
        Map<String, Object> r = object(results.get(w.id));
        String where = name + " " + w.id + ": " + r;
        assertEquals(w.unit, r.get("unit"), where);
        if (r.get("status").equals("ok")) {
          List<Object> samples = array(r.get("samples"));
          assertEquals(2, samples.size(), where); // one per repetition
          double median = (Double) r.get("median");
          assertTrue((Double) r.get("min") <= median && median <= (Double) r.get("max"), where);
          assertTrue(median > 0, where);
        } else {
          assertEquals("n/a", r.get("status"), where);
          assertFalse(String.valueOf(r.get("reason")).isBlank(), where);
        }
      }
      // What every backend must measure; start-up with an AOT cache depends on the class path, the floor
      // only exists for worker processes.
      Set<String> required = Set.of("startup", "roundtrip", "throughput", "map", "cpu_speedup", "io",
          "payload_small", "payload_large");
      for (String id : required) {
        assertEquals("ok", object(results.get(id)).get("status"), () -> name + " " + id + ": " + results.get(id));
      }
      if (name.startsWith("processes")) {
        assertEquals("ok", object(results.get("floor")).get("status"), () -> "floor: " + results.get("floor"));
      }
    }
    assertEquals(BACKENDS, names);
  }

  @Test
  void json_processesStartup_hasTheBareJvmFloor_andItsRatio() throws Exception {
    Map<String, Object> doc = object(JsonReader.parse(Files.readString(dir.resolve("bench.json"))));
    Map<String, Object> startup = processesResult(doc, "startup");
    assertEquals(2, ((Number) object(startup.get("params")).get("bare_jvms")).intValue(), () -> "" + startup);
    Map<String, Object> bare = object(object(startup.get("extras")).get("bare_jvms_ms"));
    assertEquals(2, array(bare.get("samples")).size(), () -> "one per repetition: " + bare);
    assertTrue((Double) bare.get("median") > 0, () -> "" + bare);
    assertTrue(array(doc.get("ratios")).stream().map(r -> String.valueOf(object(r).get("title")))
        .anyMatch(t -> t.equals("processes start-up, later runs, vs 2 bare JVMs started at once (java -version)")),
        () -> "" + doc.get("ratios"));
  }

  @Test
  void json_processesIdleRss_hasTheEchoJvm_andTheWorkersSizeRightAfterTheTasks_beside() throws Exception {
    Map<String, Object> doc = object(JsonReader.parse(Files.readString(dir.resolve("bench.json"))));
    Map<String, Object> rss = processesResult(doc, "idle_rss");
    for (String extra : List.of("bare_jvm_mb", "at_once_mb")) {
      Map<String, Object> e = object(object(rss.get("extras")).get(extra));
      assertEquals(2, array(e.get("samples")).size(), () -> extra + ", one per repetition: " + e);
      assertTrue((Double) e.get("median") > 0, () -> extra + ": " + e);
    }
    assertEquals(Mode.TINY.idleMillis(), ((Number) object(rss.get("params")).get("idle_ms")).longValue(),
        () -> "" + rss);
  }

  @Test
  void json_processesLargePayload_hasItsCopyFloor_andItsRatio_inProcessBackendsNone() throws Exception {
    Map<String, Object> doc = object(JsonReader.parse(Files.readString(dir.resolve("bench.json"))));
    Map<String, Object> payload = processesResult(doc, "payload_large");
    Map<String, Object> floor = object(object(payload.get("extras")).get("copy_floor_mbps"));
    assertEquals(2, array(floor.get("samples")).size(), () -> "one per repetition: " + floor);
    assertTrue((Double) floor.get("median") > 0, () -> "" + floor);
    assertTrue(array(doc.get("ratios")).stream().map(r -> String.valueOf(object(r).get("title")))
        .anyMatch(t -> t.equals("processes large payload vs 4 copies of it in one JVM")), () -> "" + doc.get("ratios"));
    Map<String, Object> threads = array(doc.get("backends")).stream().map(BenchCommandTest::object)
        .filter(b -> String.valueOf(b.get("name")).startsWith("threads")).findFirst().orElseThrow();
    Object extras = object(object(threads.get("results")).get("payload_large")).get("extras");
    assertTrue(extras == null || !object(extras).containsKey("copy_floor_mbps"),
        () -> "nothing is copied in-process, so there is no floor to show: " + extras);
  }

  /** The worker-process backend's result for one workload. */
  private static Map<String, Object> processesResult(Map<String, Object> doc, String workload) {
    Map<String, Object> processes = array(doc.get("backends")).stream().map(BenchCommandTest::object)
        .filter(b -> String.valueOf(b.get("name")).startsWith("processes")).findFirst().orElseThrow();
    return object(object(processes.get("results")).get(workload));
  }

  @Test
  void html_isSelfContained_withOneWellFormedSvgPerWorkload() throws Exception {
    String html = Files.readString(dir.resolve("bench.html"));
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.strip().endsWith("</html>"));
    assertFalse(html.contains("http://"), "no external references");
    assertFalse(html.contains("https://"), "no external references");
    assertFalse(html.contains("<script"), "no scripts");
    Matcher svg = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
    int count = 0;
    while (svg.find()) {
      count++;
      DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(svg.group())));
    }
    assertEquals(Workload.values().length, count);
    for (String b : BACKENDS) {
      assertTrue(html.contains(">" + b + "</text>"), b);
    }
  }

  @Test
  void terminal_showsATableWithEveryBackend_andTheRatios() {
    assertTrue(stdout.contains("round trip [us]"), stdout);
    for (String b : BACKENDS) {
      assertTrue(stdout.contains(b), b);
    }
    assertTrue(stdout.contains("processes round trip vs raw socket ping-pong"), stdout);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object o) {
    assertInstanceOf(Map.class, o);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> array(Object o) {
    assertInstanceOf(List.class, o);
    return (List<Object>) o;
  }
}
