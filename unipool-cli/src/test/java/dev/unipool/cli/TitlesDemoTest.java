package dev.unipool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.cli.member.RunningMember;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TitlesDemoTest {
  private static final List<String> EXPECTED_TITLES =
      LocalWebServer.pages().stream().map(LocalWebServer.Page::title).toList();

  @ParameterizedTest
  @ValueSource(strings = {"threads", "threads:1", "virtual", "inline"})
  void noUrls_printsEveryTitleAfterDone_inSubmissionOrder(String backend) {
    Cli.Result r = Cli.run("demo", "titles", "--backend", backend);

    assertEquals(0, r.code(), r::toString);
    List<String> lines = r.outLines();
    int done = lines.indexOf("Done");
    assertTrue(done >= 0, r::toString);
    assertTrue(lines.contains("Waiting for downloads..."), r::toString);
    long pid = ProcessHandle.current().pid();
    List<String> started = lines.stream().filter(l -> l.startsWith("Getting title from 127.0.0.1:")).toList();
    assertEquals(EXPECTED_TITLES.size(), started.size(), r::toString);
    started.forEach(l -> assertTrue(l.matches(".*, PID: " + pid + ", worker: \\S.*"), l));
    assertTrue(lines.indexOf(started.getLast()) < done, "every task starts before Done");

    List<String> report = lines.subList(done + 1, lines.size());
    assertEquals(EXPECTED_TITLES.size(), report.size(), r::toString);
    for (int i = 0; i < report.size(); i++) {
      LocalWebServer.Page page = LocalWebServer.pages().get(i);
      assertTrue(report.get(i).matches("127\\.0\\.0\\.1:\\d+" + page.path() + " +\\Q" + page.title()
          + "\\E +\\([^,]+, pid " + pid + ", localhost\\)"), "names the worker that ran it: " + report.get(i));
    }
    assertEquals("", r.err());
  }

  @Test
  void processes_runTasksInOtherJvms_oneStablePidPerWorker() {
    Cli.Result r = Cli.run("demo", "titles", "--backend", "processes", "--workers", "2");

    assertEquals(0, r.code(), r::toString);
    long parent = ProcessHandle.current().pid();
    Map<String, String> pidByWorker = new HashMap<>();
    Pattern started = Pattern.compile(
        "Getting title from 127\\.0\\.0\\.1:\\d+/\\S+, PID: (\\d+), worker: (\\S+)");
    for (String line : r.outLines()) {
      Matcher m = started.matcher(line);
      if (m.find()) {
        assertFalse(m.group(1).equals(Long.toString(parent)), "ran in the parent: " + line);
        String earlier = pidByWorker.putIfAbsent(m.group(2), m.group(1));
        assertTrue(earlier == null || earlier.equals(m.group(1)), "one PID per worker: " + r.out());
      }
    }
    assertFalse(pidByWorker.isEmpty(), r::toString);
    assertEquals(pidByWorker.size(), new HashSet<>(pidByWorker.values()).size(),
        "distinct workers have distinct PIDs: " + r.out());
    // Worker output is forwarded asynchronously, so only the report lines are checked for order.
    List<String> report = r.outLines().stream().filter(l -> l.matches("127\\.0\\.0\\.1:\\d+/\\S+ +.*")).toList();
    assertEquals(EXPECTED_TITLES.size(), report.size(), r::toString);
    Pattern ranOn = Pattern.compile(" +\\((worker-\\d+), pid (\\d+), localhost\\)$");
    for (int i = 0; i < report.size(); i++) {
      Matcher m = ranOn.matcher(report.get(i));
      assertTrue(m.find(), "names the worker that ran it: " + report.get(i));
      assertEquals(pidByWorker.get(m.group(1)), m.group(2), "the pid its task printed: " + r.out());
      assertTrue(withoutWorker(report.get(i)).endsWith("  " + EXPECTED_TITLES.get(i)), report.get(i));
    }
  }

  @Test
  void failingUrls_areReportedOnTheirOwnLine_andTheOthersStillFinish() throws IOException {
    try (LocalWebServer site = LocalWebServer.start()) {
      List<String> pages = site.pageUrls();
      String unreachable = "http://127.0.0.1:" + freePort() + "/gone";
      Cli.Result r = Cli.run("demo", "titles", "--workers", "2",
          pages.get(0), site.notFoundUrl(), pages.get(1), unreachable, site.jsonUrl(), "not-a-url");

      assertEquals(1, r.code(), r::toString);
      List<String> lines = r.outLines();
      List<String> report =
          lines.subList(lines.indexOf("Done") + 1, lines.size()).stream().map(TitlesDemoTest::withoutWorker).toList();
      assertTrue(report.get(0).endsWith(EXPECTED_TITLES.get(0)), report.get(0));
      assertTrue(report.get(1).contains("/no-such-page") && report.get(1).endsWith("ERROR: HTTP 404"), report.get(1));
      assertTrue(report.get(2).endsWith(EXPECTED_TITLES.get(1)), report.get(2));
      assertTrue(report.get(3).contains("/gone") && report.get(3).contains("ERROR: unreachable"), report.get(3));
      assertTrue(report.get(4).contains("/api/status.json") && report.get(4).contains("ERROR: not HTML"),
          report.get(4));
      assertTrue(report.get(5).startsWith("not-a-url") && report.get(5).contains("ERROR: not an http(s) URL"),
          report.get(5));
      assertEquals("4 of 6 URLs failed.", report.get(6));
      assertFalse(r.out().contains("Exception"), r::toString);
    }
  }

  @Test
  void json_isOneObjectWithATitlePerUrl() {
    Cli.Result r = Cli.run("demo", "titles", "--json", "--backend", "virtual");

    assertEquals(0, r.code(), r::toString);
    assertEquals(1, r.outLines().size(), "only the JSON object, no task chatter: " + r.out());
    Map<String, Object> doc = MiniJson.object(MiniJson.parse(r.out()));
    assertEquals("titles", doc.get("demo"));
    assertEquals("virtual", doc.get("backend"));
    assertEquals(Boolean.TRUE, doc.get("ok"));
    List<Object> results = MiniJson.array(doc.get("results"));
    assertEquals(EXPECTED_TITLES.size(), results.size());
    for (int i = 0; i < results.size(); i++) {
      Map<String, Object> item = MiniJson.object(results.get(i));
      assertEquals(EXPECTED_TITLES.get(i), item.get("title"));
      assertEquals(Boolean.TRUE, item.get("ok"));
      assertEquals((double) ProcessHandle.current().pid(), item.get("pid"));
      assertTrue(item.get("url") instanceof String url && url.startsWith("http://127.0.0.1:"));
    }
  }

  @Test
  void json_reportsFailuresPerUrl() {
    try (LocalWebServer site = LocalWebServer.start()) {
      Cli.Result r = Cli.run("demo", "titles", "--json", site.pageUrls().get(2), site.notFoundUrl());

      assertEquals(1, r.code(), r::toString);
      Map<String, Object> doc = MiniJson.object(MiniJson.parse(r.out()));
      assertEquals(Boolean.FALSE, doc.get("ok"));
      List<Object> results = MiniJson.array(doc.get("results"));
      assertEquals(EXPECTED_TITLES.get(2), MiniJson.object(results.get(0)).get("title"));
      Map<String, Object> failed = MiniJson.object(results.get(1));
      assertEquals(Boolean.FALSE, failed.get("ok"));
      assertEquals("HTTP 404", failed.get("error"));
      assertEquals(MiniJson.NULL, failed.get("title"));
    }
  }

  /** Cluster members run the tasks: their "Getting title" lines print there, so the report says where. */
  @Test
  void cluster_reportNamesTheMemberThatRanEachTitle() {
    try (RunningMember member = RunningMember.start()) {
      Cli.Result r = Cli.run("demo", "titles", "--backend", "cluster", "--join", member.address());

      assertEquals(0, r.code(), () -> r + "\nmember:\n" + member.output());
      List<String> lines = r.outLines();
      List<String> report = lines.subList(lines.indexOf("Done") + 1, lines.size());
      assertEquals(EXPECTED_TITLES.size(), report.size(), r::toString);
      String port = member.address().substring(member.address().lastIndexOf(':') + 1);
      Pattern ranOn = Pattern.compile(" +\\(([^,]+), pid (\\d+), ([^)]*:" + port + ")\\)$");
      for (int i = 0; i < report.size(); i++) {
        Matcher m = ranOn.matcher(report.get(i));
        assertTrue(m.find(), "names the member that ran it: " + report.get(i));
        assertFalse(m.group(2).equals(Long.toString(ProcessHandle.current().pid())), "a member's own JVM");
        assertTrue(withoutWorker(report.get(i)).endsWith("  " + EXPECTED_TITLES.get(i)), report.get(i));
      }
    }
  }

  /** A report line without the worker that ran it, the last part: "(name, pid N, host)". */
  private static String withoutWorker(String line) {
    return line.replaceFirst(" +\\([^()]*, pid -?\\d+, [^()]*\\)$", "").replaceFirst(" +\\(never started\\)$", "");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.ofLiteral("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
