package dev.unipool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --stats}: the pool's statistics after the report, one line per worker. */
class StatsOptionTest {
  @Test
  void titles_withStats_endsWithThePoolsCountsAndAWorkerTable() {
    Cli.Result r = Cli.run("demo", "titles", "--backend", "threads:2", "--stats");

    assertEquals(0, r.code(), r::toString);
    int pages = LocalWebServer.pages().size();
    List<String> lines = r.outLines();
    int head = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("pool unipool (threads:2): ")) {
        head = i;
      }
    }
    assertTrue(head > lines.indexOf("Done"), () -> "the table comes after the report: " + r);
    assertEquals("pool unipool (threads:2): " + pages + " submitted, " + pages + " completed, 0 failed, 0 cancelled,"
        + " 0 running, 0 queued", lines.get(head), r::toString);
    assertTrue(lines.get(head + 1).trim().startsWith("worker"), r::toString);
    List<String> workers = lines.subList(head + 2, lines.size());
    assertEquals(2, workers.size(), () -> "one line per thread: " + r);
    long tasks = 0;
    for (String w : workers) {
      String[] cols = w.trim().split("\\s+");
      assertEquals(String.valueOf(ProcessHandle.current().pid()), cols[1], w);
      assertEquals("stopped", cols[2], w);
      tasks += Long.parseLong(cols[3]);
    }
    assertEquals(pages, tasks, r::toString);
  }

  @Test
  void withoutStats_noTable() {
    Cli.Result r = Cli.run("demo", "titles", "--backend", "inline");
    assertEquals(0, r.code(), r::toString);
    assertFalse(r.out().contains("pool unipool ("), r::toString);
  }

  @Test
  void compute_onProcesses_showsEachWorkerProcessWithItsMemory() {
    Cli.Result r = Cli.run("demo", "compute", "--backend", "processes", "--workers", "2", "--size", "2000000",
        "--stats");
    assertEquals(0, r.code(), r::toString);
    List<String> workers = r.outLines().stream().filter(l -> l.trim().startsWith("worker-")).toList();
    assertEquals(2, workers.size(), r::toString);
    for (String w : workers) {
      String[] cols = w.trim().split("\\s+");
      assertFalse(cols[1].equals(String.valueOf(ProcessHandle.current().pid())), w);
      assertTrue(w.endsWith(" MB"), () -> "resident memory, read as the worker was stopped: " + w);
    }
  }
}
