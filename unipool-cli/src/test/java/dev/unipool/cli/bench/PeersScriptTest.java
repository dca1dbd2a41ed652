package dev.unipool.cli.bench;

import static dev.unipool.cli.bench.BenchCommandTest.array;
import static dev.unipool.cli.bench.BenchCommandTest.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped Python peers script, in its tiny mode, where python3 exists. */
class PeersScriptTest {
  @TempDir Path dir;

  /**
   * Runs the script in its tiny mode on two workers with these extra arguments, checks that it ended well
   * and said its plan, and returns its JSON; skips the test where python3 is missing.
   */
  private Map<String, Object> runTiny(String... extra) throws Exception {
    String python = Peers.findPython();
    assumeTrue(python != null, "python3 is not installed");
    Path out = dir.resolve("peers.json");
    List<String> cmd = new ArrayList<>(List.of(python, Peers.extractScript(dir).toString(), "--tiny", "--workers",
        "2", "--out", out.toString()));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script finishes");
    assertEquals(0, p.exitValue(), log);
    assertTrue(log.lines().anyMatch(l -> l.startsWith("plan ")), log);
    return object(JsonReader.parse(Files.readString(out)));
  }

  @Test
  void tinyMode_printsAFigureOrNaForEveryPeerAndWorkload() throws Exception {
    Map<String, Object> doc = runTiny();
    assertFalse(String.valueOf(doc.get("python")).isBlank());
    List<String> names = new ArrayList<>();
    for (Object o : array(doc.get("peers"))) {
      Map<String, Object> peer = object(o);
      String name = String.valueOf(peer.get("name"));
      names.add(name);
      Map<String, Object> results = object(peer.get("results"));
      for (Workload w : Workload.values()) {
        Map<String, Object> r = object(results.get(w.id));
        String where = name + " " + w.id + ": " + r;
        assertEquals(w.unit, r.get("unit"), where);
        if (r.get("status").equals("ok")) {
          assertFalse(array(r.get("samples")).isEmpty(), where);
          assertTrue((Double) r.get("median") > 0, where);
        } else {
          assertFalse(String.valueOf(r.get("reason")).isBlank(), where);
        }
      }
      boolean asyncio = name.equals("asyncio");
      if (!asyncio && !name.equals("ThreadPoolExecutor")) { // the thread pool's map is scaled down
        for (Workload w : List.of(Workload.MAP_10K, Workload.MAP_100K, Workload.MAP_1M)) {
          Map<String, Object> params = object(object(results.get(w.id)).get("params"));
          // The Java side's rule: as many whole maps as fit in the largest row (tiny: 1,000, 2,000, 5,000).
          assertEquals(5_000 / ((Number) params.get("items")).intValue(), ((Number) params.get("maps")).intValue(),
              name + " " + w.id + ": " + params);
        }
      }
      assertEquals("ok", object(results.get("io")).get("status"), name);
      assertEquals(asyncio ? "n/a" : "ok", object(results.get("throughput")).get("status"), name);
    }
    assertEquals(List.of("ThreadPoolExecutor", "ProcessPoolExecutor (fork)", "ProcessPoolExecutor (spawn)",
        "multiprocessing.Pool", "asyncio"), names);
  }

  @Test
  void idleRss_readsTheWorkersAfterTheyIdled_andRightAfterTheTasks() throws Exception {
    Map<String, Object> doc = runTiny("--peers", "spawn", "--idle-seconds", "0.25");
    Map<String, Object> rss = object(object(object(array(doc.get("peers")).getFirst()).get("results")).get("idle_rss"));
    assertEquals("ok", rss.get("status"), () -> "" + rss);
    assertEquals(250, ((Number) object(rss.get("params")).get("idle_ms")).intValue(), () -> "" + rss);
    Map<String, Object> atOnce = object(object(rss.get("extras")).get("at_once_mb"));
    assertEquals(array(rss.get("samples")).size(), array(atOnce.get("samples")).size(), () -> "" + rss);
    assertTrue((Double) atOnce.get("median") > 0, () -> "" + rss);
  }
}
