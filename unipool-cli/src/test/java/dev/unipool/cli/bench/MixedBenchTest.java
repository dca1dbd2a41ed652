package dev.unipool.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --mixed} runs auto against the fixed backends end to end (tiny sizes), reporting every executor. */
class MixedBenchTest {
  @TempDir Path dir;

  @Test
  @SuppressWarnings("unchecked")
  void mixed_reportsMakespanAndIoP99ForEveryExecutor() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path json = dir.resolve("mixed.json");
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(o, e, "bench", "--tiny", "--mixed", "--json", json.toString());
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, () -> text + err.toString(StandardCharsets.UTF_8));
    assertTrue(text.contains("auto makespan / best fixed choice"), text);
    Map<String, Object> doc = (Map<String, Object>) JsonReader.parse(Files.readString(json));
    List<Object> rows = (List<Object>) doc.get("mixed");
    assertEquals(4, rows.size());
    for (Object r : rows) {
      Map<String, Object> row = (Map<String, Object>) r;
      assertTrue((Double) row.get("makespan_ms") > 0, row::toString);
      assertTrue((Double) row.get("io_p99_ms") > 0, row::toString);
    }
    assertEquals("auto", ((Map<String, Object>) rows.getFirst()).get("executor"));
  }
}
