package dev.unipool.cli.bench;

import static dev.unipool.cli.bench.BenchCommandTest.array;
import static dev.unipool.cli.bench.BenchCommandTest.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.cli.Main;
import dev.unipool.cli.member.RunningMember;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench --cluster}: the tiny suite against two members started with {@code unipool member}, with
 * raw Hazelcast beside the cluster backend and issue 6's two ratios in the table, the JSON and the HTML.
 * No test here asserts a timing or whether a bar is met: the machine decides those. The members take
 * their default, secret cluster name (in the file the build points {@code unipool.cluster.nameFile} at),
 * the second finds it there to join the first, and the bench is given it as {@code NAME@HOST:PORT,...}.
 */
class ClusterBenchTest {
  private static final String ROUND_TRIP_RATIO = "cluster round trip vs raw IExecutorService";
  private static final String MAP_RATIO = "cluster map vs raw one task per item (small items)";

  @TempDir static Path dir;
  private static final List<RunningMember> members = new ArrayList<>();
  private static String cluster = "";
  private static String secret = "";
  private static String stdout = "";

  @BeforeAll
  static void runTinySuiteOnTwoMembers() {
    RunningMember first = RunningMember.start();
    members.add(first);
    members.add(RunningMember.start("--join", first.address()));
    String addresses = first.address() + "," + members.get(1).address();
    cluster = "cluster:" + addresses;
    try {
      secret = Files.readString(dev.unipool.Backend.Cluster.nameFile()).strip();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(o, e, "bench", "--tiny", "--backends", "inline", "--cluster", secret + "@" + addresses,
          "--json", dir.resolve("bench.json").toString(), "--html", dir.resolve("bench.html").toString());
    }
    stdout = out.toString(StandardCharsets.UTF_8);
    String errText = err.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, () -> "exit code; stdout:\n" + stdout + "\nstderr:\n" + errText);
  }

  @AfterAll
  static void stopMembers() {
    for (RunningMember m : members.reversed()) {
      m.close();
    }
  }

  @Test
  void json_hasTheClusterBackend_andRawHazelcastBesideIt() throws Exception {
    Map<String, Object> doc = object(JsonReader.parse(Files.readString(dir.resolve("bench.json"))));
    List<String> names = new ArrayList<>();
    Map<String, Object> raw = Map.of();
    Map<String, Object> unipool = Map.of();
    for (Object b : array(doc.get("backends"))) {
      Map<String, Object> backend = object(b);
      names.add(String.valueOf(backend.get("name")));
      if (backend.get("name").equals(RawHazelcast.NAME)) {
        assertEquals("baseline", backend.get("kind"));
        raw = object(backend.get("results"));
      } else {
        assertEquals("unipool", backend.get("kind"));
      }
      if (backend.get("name").equals(cluster)) {
        unipool = object(backend.get("results"));
      }
    }
    assertEquals(List.of("inline", cluster, RawHazelcast.NAME), names);
    for (Workload w : Workload.values()) {
      Map<String, Object> r = object(raw.get(w.id));
      String expected = RawHazelcast.MEASURED.contains(w) ? "ok" : "n/a";
      assertEquals(expected, r.get("status"), () -> "raw " + w.id + ": " + r);
      if (expected.equals("ok")) {
        assertEquals(2, array(r.get("samples")).size(), () -> "one sample per repetition: " + r);
        assertTrue((Double) r.get("median") > 0, r::toString);
      }
    }
    for (String id : List.of("roundtrip", "map")) {
      Map<String, Object> r = object(unipool.get(id));
      assertEquals("ok", r.get("status"), () -> "cluster " + id + ": " + r);
    }
    assertEquals(500.0, object(object(raw.get("map")).get("params")).get("items"));
    String command = String.valueOf(doc.get("command"));
    assertTrue(command.contains("--cluster NAME@127.0.0.1:") && !command.contains(secret), command);
  }

  @Test
  void json_hasBothClusterRatios_withValuesAndBars() throws Exception {
    Map<String, Object> doc = object(JsonReader.parse(Files.readString(dir.resolve("bench.json"))));
    Map<String, Map<String, Object>> ratios = new java.util.HashMap<>();
    for (Object r : array(doc.get("ratios"))) {
      ratios.put(String.valueOf(object(r).get("title")), object(r));
    }
    Map<String, Object> roundTrip = ratios.get(ROUND_TRIP_RATIO);
    Map<String, Object> map = ratios.get(MAP_RATIO);
    assertTrue(roundTrip != null && map != null, () -> "ratios: " + ratios.keySet());
    assertEquals("<= 1.2x", roundTrip.get("goal"));
    assertEquals(">= 10x", map.get("goal"));
    for (Map<String, Object> r : List.of(roundTrip, map)) {
      double value = (Double) r.get("value");
      assertTrue(value > 0 && Double.isFinite(value), r::toString);
      assertTrue(r.get("meets") instanceof Boolean, r::toString);
      assertTrue(String.valueOf(r.get("detail")).contains(RawHazelcast.NAME), r::toString);
    }
  }

  @Test
  void terminalAndHtml_showTheRawColumnAndTheRatios() throws Exception {
    String html = Files.readString(dir.resolve("bench.html"));
    for (String text : List.of(RawHazelcast.NAME, ROUND_TRIP_RATIO, MAP_RATIO)) {
      assertTrue(stdout.contains(text), () -> text + " in:\n" + stdout);
      assertTrue(html.contains(text), text);
    }
    assertTrue(html.contains("raw baseline"), "legend");
    assertFalse(stdout.contains("not measured: " + RawHazelcast.NAME), stdout);
  }
}
