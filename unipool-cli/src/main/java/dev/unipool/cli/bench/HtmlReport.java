package dev.unipool.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --html} report: one self-contained page (inline CSS and SVG, no scripts, no external
 * resources, so it opens offline) with the command line, the machine, the ratios and one horizontal bar
 * chart per workload: unipool's backends in blue, raw baselines (Hazelcast's own executor) in grey, the
 * Python peers in orange, whiskers for min..max. The legend lists only what the charts show.
 *
 * <p>A chart whose values span more than 50x uses a log axis, and there medians are dots, not bars: a
 * bar's length on a log axis depends on where the axis happens to start, so it would compare nothing.
 * Payload figures of in-process backends, where nothing is copied (millions of MB/s), are labelled
 * "no copy" instead of drawn, so they do not squash the bars that measure copies.
 */
final class HtmlReport {
  private static final String UNIPOOL_COLOUR = "#2f6db5";
  private static final String PEER_COLOUR = "#e07b24";
  private static final String BASELINE_COLOUR = "#7a7a7a";
  private static final int WIDTH = 960;
  private static final int LABEL_WIDTH = 250;
  private static final int VALUE_WIDTH = 120;
  private static final int ROW = 26;
  private static final int TOP = 10;
  private static final int AXIS = 46;

  private HtmlReport() {}

  static String render(String command, Map<String, Object> machine, Mode mode, List<Contender> backends,
      List<Contender> peers, List<Bars.Ratio> ratios, List<String> notes) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>unipool bench</title>\n<style>\n")
        .append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1000px;")
        .append("color:#222;line-height:1.4}\n")
        .append("code{background:#f3f3f3;padding:2px 5px;border-radius:3px}\n")
        .append("table{border-collapse:collapse;margin:8px 0 16px}\n")
        .append("td,th{padding:3px 10px;border-bottom:1px solid #e3e3e3;text-align:left;font-size:14px;vertical-align:top}\n")
        .append("td.num{text-align:right;font-variant-numeric:tabular-nums}\n")
        .append(".meets{color:#1d7a33;font-weight:600}.misses{color:#b3261e;font-weight:600}\n")
        .append("h2{margin:28px 0 2px;font-size:19px}.sub{color:#555;font-size:13px;margin:0 0 6px}\n")
        .append("ul.notes{font-size:13px;color:#444;margin-top:2px}\n")
        .append(".key{display:inline-block;width:12px;height:12px;margin:0 4px -1px 12px;border-radius:2px}\n")
        .append("svg text{font-family:system-ui,-apple-system,'Segoe UI',sans-serif}\n")
        .append("</style>\n</head>\n<body>\n");
    h.append("<h1>unipool bench</h1>\n");
    h.append("<p><code>").append(esc(command)).append("</code> &middot; mode <b>").append(esc(mode.name()))
        .append("</b>, ").append(mode.reps()).append(" repetitions after one warm-up round, backends alternating."
            + " Figures are medians; whiskers show min..max.</p>\n");
    boolean peersShown = peers.stream().anyMatch(c -> c.figures().values().stream().anyMatch(Figure::ok));
    h.append("<p><span class=\"key\" style=\"background:").append(UNIPOOL_COLOUR).append("\"></span>unipool backends")
        .append(backends.stream().anyMatch(c -> c.kind() == Contender.Kind.BASELINE)
            ? "<span class=\"key\" style=\"background:" + BASELINE_COLOUR + "\"></span>raw baseline" : "")
        .append(peersShown ? "<span class=\"key\" style=\"background:" + PEER_COLOUR + "\"></span>Python peers" : "")
        .append("</p>\n");
    machineTable(h, machine);
    ratioTable(h, ratios);
    for (Workload w : Workload.values()) {
      chart(h, w, backends, peers);
    }
    if (!notes.isEmpty()) {
      h.append("<h2>Notes</h2>\n<ul class=\"notes\">\n");
      for (String n : notes) {
        h.append("<li>").append(esc(n)).append("</li>\n");
      }
      h.append("</ul>\n");
    }
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static void machineTable(StringBuilder h, Map<String, Object> machine) {
    h.append("<h2>Machine</h2>\n<table>\n");
    row(h, "cores", String.valueOf(machine.get("cores")));
    row(h, "CPU", String.valueOf(machine.get("cpu")));
    if (machine.get("memoryBytes") instanceof Number mem) {
      row(h, "memory", String.format(Locale.ROOT, "%.1f GB", mem.doubleValue() / 1e9));
    }
    if (machine.get("loadAverageAtStart") instanceof Number load) {
      row(h, "load average at start", String.format(Locale.ROOT, "%.2f", load.doubleValue()));
    }
    if (machine.get("jvm") instanceof Map<?, ?> jvm) {
      row(h, "JVM", jvm.get("name") + " " + jvm.get("version") + " (" + jvm.get("vendor") + ")");
    }
    if (machine.get("os") instanceof Map<?, ?> os) {
      row(h, "OS", os.get("name") + " " + os.get("version") + " " + os.get("arch"));
    }
    Object python = machine.get("python");
    row(h, "Python", python == null ? "not run" : python.toString());
    h.append("</table>\n");
  }

  private static void row(StringBuilder h, String key, String value) {
    h.append("<tr><th>").append(esc(key)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
  }

  private static void ratioTable(StringBuilder h, List<Bars.Ratio> ratios) {
    if (ratios.isEmpty()) {
      return;
    }
    h.append("<h2>Ratios</h2>\n<p class=\"sub\">unipool's goals for worker processes (against a raw Unix-socket"
        + " ping-pong and Python's process pools) and for the cluster (against raw Hazelcast on the same members),"
        + " then like-for-like comparisons."
        + " A ratio is median over median.</p>\n<table>\n<tr><th>comparison</th><th>value</th><th>bar</th>"
        + "<th>medians</th></tr>\n");
    for (Bars.Ratio r : ratios) {
      String value = Double.isNaN(r.value()) ? "n/a"
          : Report.number(r.value()) + (r.unit().equals("x") ? "x" : " " + Report.unit(r.unit()));
      String verdict = r.meets() == null ? esc(r.goal())
          : "<span class=\"" + (r.meets() ? "meets" : "misses") + "\">" + (r.meets() ? "meets " : "misses ")
              + esc(r.goal()) + "</span>";
      h.append("<tr><td>").append(esc(r.title())).append("</td><td class=\"num\">").append(esc(value))
          .append("</td><td>").append(verdict).append("</td><td>").append(esc(r.detail().replace("us", "µs")))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private record Bar(String name, Contender.Kind kind, Figure figure) {
    String labelColour() {
      return switch (kind) {
        case UNIPOOL -> "#1d3f6b";
        case BASELINE -> "#444";
        case PEER -> "#8a4a10";
      };
    }

    String colour() {
      return switch (kind) {
        case UNIPOOL -> UNIPOOL_COLOUR;
        case BASELINE -> BASELINE_COLOUR;
        case PEER -> PEER_COLOUR;
      };
    }
  }

  private static void chart(StringBuilder h, Workload w, List<Contender> backends, List<Contender> peers) {
    List<Bar> bars = new ArrayList<>();
    for (Contender c : backends) {
      Figure f = c.figures().get(w);
      if (f != null) {
        bars.add(new Bar(c.name(), c.kind(), f));
      }
    }
    for (Contender c : peers) {
      Figure f = c.figures().get(w);
      if (f != null && f.ok()) { // peers without the workload would only add clutter
        bars.add(new Bar(c.name(), c.kind(), f));
      }
    }
    h.append("<h2>").append(esc(w.title)).append("</h2>\n");
    h.append("<p class=\"sub\">").append(esc(Report.unit(w.unit))).append(", ")
        .append(w.higherIsBetter ? "higher is better" : "lower is better").append(esc(sizes(bars))).append("</p>\n");

    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (Bar b : bars) {
      if (b.figure().ok() && !b.figure().noCopy()) {
        lo = Math.min(lo, Math.max(b.figure().min(), 1e-9));
        hi = Math.max(hi, b.figure().max());
      }
    }
    boolean any = hi > 0;
    boolean log = any && hi / lo > 50;
    Scale scale = log ? Scale.log(lo, hi) : Scale.linear(any ? hi : 1);
    int plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    int height = TOP + bars.size() * ROW + AXIS;
    h.append("<svg width=\"").append(WIDTH).append("\" height=\"").append(height)
        .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height).append("\" role=\"img\" aria-label=\"")
        .append(esc(w.title)).append("\">\n");
    // grid and axis
    int axisY = TOP + bars.size() * ROW;
    for (double t : scale.ticks()) {
      double x = LABEL_WIDTH + scale.at(t) * plot;
      h.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e6e6e6\"/>"
              + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n",
          x, TOP - 4, x, axisY + 4, x, axisY + 17, esc(Report.number(t))));
    }
    h.append(String.format(Locale.ROOT,
        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", LABEL_WIDTH, axisY, LABEL_WIDTH + plot,
        axisY));
    h.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" fill=\"#333\">%s%s</text>\n",
        LABEL_WIDTH + plot / 2, axisY + 36, esc(Report.unit(w.unit)), log ? " (log scale; dots mark medians)" : ""));
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      int y = TOP + i * ROW;
      h.append(String.format(Locale.ROOT,
          "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"end\" fill=\"%s\">%s</text>\n",
          LABEL_WIDTH - 8, y + 17, b.labelColour(), esc(b.name())));
      Figure f = b.figure();
      if (!f.ok()) {
        String reason = f.reason();
        h.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#888\">n/a: %s</text>\n",
            LABEL_WIDTH + 6, y + 17, esc(reason.length() > 95 ? reason.substring(0, 92) + "..." : reason)));
        continue;
      }
      if (f.noCopy()) {
        h.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#555\">no copy: shares memory with the caller"
                + " (the task returns the caller's own array)</text>\n", LABEL_WIDTH + 6, y + 17));
        continue;
      }
      double x0 = LABEL_WIDTH;
      double xm = LABEL_WIDTH + scale.at(f.median()) * plot;
      double xmin = LABEL_WIDTH + scale.at(f.min()) * plot;
      double xmax = LABEL_WIDTH + scale.at(f.max()) * plot;
      String colour = b.colour();
      String title = String.format(Locale.ROOT, "<title>%s: median %s %s, min %s, max %s, %d samples</title>",
          esc(b.name()), esc(Report.number(f.median())), esc(Report.unit(f.unit)), esc(Report.number(f.min())),
          esc(Report.number(f.max())), f.samples.size());
      if (log) {
        h.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%d\" r=\"5\" fill=\"%s\">%s</circle>\n",
            xm, y + 13, colour, title));
      } else {
        h.append(String.format(Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\" rx=\"2\">%s</rect>\n",
            x0, y + 5, Math.max(1.5, xm - x0), colour, title));
      }
      if (f.samples.size() > 1) {
        h.append(String.format(Locale.ROOT,
            "<path d=\"M%.1f %d V%d M%.1f %d H%.1f M%.1f %d V%d\" stroke=\"#222\" stroke-width=\"1.2\" fill=\"none\"/>\n",
            xmin, y + 9, y + 17, xmin, y + 13, xmax, xmax, y + 9, y + 17));
      }
      h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#222\">%s</text>\n",
          Math.max(xm, xmax) + 6, y + 17, esc(Report.number(f.median()) + " " + Report.unit(f.unit))));
    }
    h.append("</svg>\n");
    // A note shared by several contenders is shown once, naming them all.
    Map<String, List<String>> shared = new LinkedHashMap<>();
    for (Bar b : bars) {
      b.figure().notes.forEach(n -> shared.computeIfAbsent(n, k -> new ArrayList<>()).add(b.name()));
    }
    Set<String> notes = new LinkedHashSet<>();
    shared.forEach((n, who) -> notes.add(String.join(", ", who) + ": " + n));
    for (Bar b : bars) {
      if (b.figure().extras.containsKey("makespan_ms")) {
        notes.add(b.name() + ": makespan " + Report.number(b.figure().extraMedian("makespan_ms"))
            + " ms for " + b.figure().params.get("tasks") + " tasks");
      }
      if (b.figure().extras.containsKey("serial_s") && b.figure().ok()) {
        notes.add(String.format(Locale.ROOT, "%s: serial %s s, parallel %s s on %s segments", b.name(),
            Report.number(b.figure().extraMedian("serial_s")),
            Report.number(b.figure().extraMedian("parallel_s")), b.figure().params.get("segments")));
      }
    }
    if (!notes.isEmpty()) {
      h.append("<ul class=\"notes\">\n");
      notes.forEach(n -> h.append("<li>").append(esc(n)).append("</li>\n"));
      h.append("</ul>\n");
    }
  }

  /** The largest size the unipool side ran with, e.g. ", 100,000 tasks (virtual)"; scaled-down runs say so in notes. */
  private static String sizes(List<Bar> bars) {
    String best = "";
    long most = -1;
    for (Bar b : bars) {
      Map<String, Object> p = b.figure().params;
      if (b.kind() != Contender.Kind.UNIPOOL || !b.figure().ok()) {
        continue;
      }
      for (String key : List.of("tasks", "items", "calls", "iterations", "bytes", "pings")) {
        if (p.get(key) instanceof Number n && n.longValue() > most) {
          most = n.longValue();
          String what = key.equals("bytes") ? String.format(Locale.ROOT, "%s MB", Report.number(n.doubleValue() / 1e6))
              : String.format(Locale.ROOT, "%,d %s", n.longValue(), key);
          best = ", " + what + " (" + b.name() + ")";
          break;
        }
      }
    }
    return best;
  }

  /** Maps values to [0, 1] of the plot width. */
  private record Scale(boolean log, double lo, double hi) {
    static Scale linear(double max) {
      double step = niceStep(max / 5);
      return new Scale(false, 0, Math.ceil(max / step) * step);
    }

    static Scale log(double min, double max) {
      double lo = Math.floor(Math.log10(min));
      if (Math.log10(min) - lo < 0.3) {
        lo--; // so the smallest median is not drawn on the axis line
      }
      return new Scale(true, lo, Math.ceil(Math.log10(max) + 1e-9));
    }

    double at(double v) {
      double p = log ? (Math.log10(Math.max(v, 1e-12)) - lo) / (hi - lo) : v / hi;
      return Math.max(0, Math.min(1, p));
    }

    List<Double> ticks() {
      List<Double> t = new ArrayList<>();
      if (log) {
        for (double e = lo; e <= hi + 1e-9; e++) {
          t.add(Math.pow(10, e));
        }
      } else {
        double step = niceStep(hi / 5);
        for (double v = 0; v <= hi + step / 2; v += step) {
          t.add(v);
        }
      }
      return t;
    }

    private static double niceStep(double raw) {
      if (raw <= 0) {
        return 1;
      }
      double mag = Math.pow(10, Math.floor(Math.log10(raw)));
      double r = raw / mag;
      return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
    }
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
