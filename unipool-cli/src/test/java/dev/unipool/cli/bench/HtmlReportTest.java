package dev.unipool.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The HTML report draws what was measured, and only that, from figures made up for the purpose. */
class HtmlReportTest {

  private static Contender backend(String name, Workload w, double... samples) {
    Contender c = new Contender(name, Contender.Kind.UNIPOOL);
    for (double s : samples) {
      c.figure(w).add(s);
    }
    return c;
  }

  private static String render(List<Contender> backends, List<Contender> peers) {
    return HtmlReport.render("unipool bench --test", Map.of("cores", 2), Mode.TINY, backends, peers, List.of(),
        List.of());
  }

  /** The chart of one workload: from its heading to the end of its svg. */
  private static String chart(String html, Workload w) {
    int start = html.indexOf("<h2>" + w.title + "</h2>");
    assertTrue(start >= 0, w.title);
    return html.substring(start, html.indexOf("</svg>", start));
  }

  @Test
  void legend_listsPythonPeers_onlyWhenTheyRan() {
    List<Contender> backends = List.of(backend("threads:2", Workload.ROUNDTRIP, 20, 21));
    assertFalse(render(backends, List.of()).contains("Python peers"), "no peers were run");

    Contender peer = new Contender("multiprocessing.Pool", Contender.Kind.PEER);
    peer.figure(Workload.ROUNDTRIP).add(160);
    assertTrue(render(backends, List.of(peer)).contains("Python peers"));
  }

  @Test
  void logAxis_marksMediansWithDots_notBarsFromAnArbitraryMinimum() {
    // 0.1 us against 70 us: more than 50x apart, so the axis is logarithmic.
    String html = render(List.of(backend("inline", Workload.ROUNDTRIP, 0.1, 0.12),
        backend("processes:2", Workload.ROUNDTRIP, 70, 75)), List.of());
    String chart = chart(html, Workload.ROUNDTRIP);

    assertTrue(chart.contains("log scale"), chart);
    assertEquals(2, count(chart, "<circle "), chart);
    assertEquals(0, count(chart, "<rect "), chart);
  }

  @Test
  void linearAxis_drawsBarsFromZero() {
    String html = render(List.of(backend("threads:2", Workload.ROUNDTRIP, 18, 19),
        backend("virtual", Workload.ROUNDTRIP, 60, 62)), List.of());
    String chart = chart(html, Workload.ROUNDTRIP);

    assertFalse(chart.contains("log scale"), chart);
    assertEquals(2, count(chart, "<rect "), chart);
  }

  @Test
  void noCopyPayload_isLabelled_andLeavesTheScaleToTheCopies() {
    Contender inline = backend("inline", Workload.PAYLOAD_LARGE, 2_000_000, 2_100_000);
    inline.figure(Workload.PAYLOAD_LARGE).params.put(Figure.COPIED, false);
    Contender processes = backend("processes:2", Workload.PAYLOAD_LARGE, 700, 800);
    String chart = chart(render(List.of(inline, processes), List.of()), Workload.PAYLOAD_LARGE);

    assertTrue(chart.contains("no copy"), chart);
    assertFalse(chart.contains("log scale"), "only the copies set the scale: " + chart);
    assertEquals(1, count(chart, "<rect "), chart);
    // The copying backend's bar spans most of the plot, instead of a sliver next to 2 M MB/s.
    Matcher width = Pattern.compile("<rect x=\"[\\d.]+\" y=\"\\d+\" width=\"([\\d.]+)\"").matcher(chart);
    assertTrue(width.find(), chart);
    assertTrue(Double.parseDouble(width.group(1)) > 300, chart);
  }

  @Test
  void textReport_saysNoCopy_insteadOfMillionsOfMegabytesPerSecond() {
    Contender inline = backend("inline", Workload.PAYLOAD_LARGE, 2_000_000, 2_100_000);
    inline.figure(Workload.PAYLOAD_LARGE).params.put(Figure.COPIED, false);
    java.io.StringWriter text = new java.io.StringWriter();
    try (java.io.PrintWriter out = new java.io.PrintWriter(text)) {
      Report.print(out, List.of(inline), List.of(), List.of(), List.of());
    }
    assertTrue(text.toString().contains("no copy"), text.toString());
    assertFalse(text.toString().contains("2.05M"), text.toString());
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
