package dev.unipool.cli.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The terminal report: one matrix for unipool's backends (and a raw baseline beside them), one for the
 * peers, then the ratios and notes.
 */
final class Report {
  private Report() {}

  /** Three significant digits with a k/M/G suffix: 0.213, 4.56, 78.9, 1234, 12.3k, 4.56M. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    double a = Math.abs(v);
    if (a >= 1e9) {
      return String.format(Locale.ROOT, "%.3gG", v / 1e9);
    }
    if (a >= 1e6) {
      return String.format(Locale.ROOT, "%.3gM", v / 1e6);
    }
    if (a >= 1e4) {
      return String.format(Locale.ROOT, "%.3gk", v / 1e3);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** The unit as shown to people. */
  static String unit(String unit) {
    return unit.equals("us") ? "µs" : unit;
  }

  static String label(Workload w) {
    String what = switch (w) {
      case STARTUP -> "start-up, later runs";
      case STARTUP_FIRST -> "start-up, first run";
      case STARTUP_AOT -> "start-up, hand-made AOT";
      case ROUNDTRIP -> "round trip";
      case ROUNDTRIP_BUSY -> "round trip, busy cores";
      case THROUGHPUT -> "tasks at once";
      case MAP -> "map";
      case MAP_10K -> "map 10k";
      case MAP_100K -> "map 100k";
      case MAP_1M -> "map 1M";
      case CPU -> "CPU speedup";
      case IO -> "I/O 50 ms waits";
      case PAYLOAD_SMALL -> "payload, smaller";
      case PAYLOAD_LARGE -> "payload, larger";
      case SHARE -> "share read by every worker";
      case FLOOR -> "raw socket floor";
      case FLOOR_BUSY -> "raw floor, busy cores";
      case IDLE_RSS -> "idle worker RSS";
    };
    return what + " [" + w.unit + "] " + (w.higherIsBetter ? "^" : "v");
  }

  static void print(PrintWriter out, List<Contender> backends, List<Contender> peers, List<Bars.Ratio> ratios,
      List<String> generalNotes) {
    out.println("Medians of the repetitions, [min..max] below each; ^ higher is better, v lower is better.");
    out.println();
    matrix(out, "unipool", backends);
    if (!peers.isEmpty()) {
      out.println();
      matrix(out, "python peers", peers);
    }
    if (!ratios.isEmpty()) {
      out.println();
      out.println("Ratios against unipool's goals (worker processes against a raw socket and Python's process"
          + " pools, the cluster against raw Hazelcast on the same members), then like-for-like comparisons:");
      int width = ratios.stream().mapToInt(r -> r.title().length()).max().orElse(10);
      for (Bars.Ratio r : ratios) {
        String value = Double.isNaN(r.value()) ? "n/a" : number(r.value()) + (r.unit().equals("x") ? "x" : " " + r.unit());
        String verdict = r.meets() == null ? "" : r.meets() ? "meets " + r.goal() : "MISSES " + r.goal();
        out.printf("  %-" + width + "s  %9s  %-22s %s%n", r.title(), value, verdict, r.detail());
      }
    }
    List<String> notes = new ArrayList<>(generalNotes);
    // The same note on several contenders or workloads is printed once, naming them all.
    Map<String, Map<String, List<String>>> byText = new LinkedHashMap<>(); // note -> contender -> workload ids
    for (List<Contender> group : List.of(backends, peers)) {
      for (Contender c : group) {
        for (Figure f : c.figures().values()) {
          List<String> texts = f.ok() ? f.notes : List.of("n/a, " + f.reason());
          for (String t : texts) {
            byText.computeIfAbsent(t, k -> new LinkedHashMap<>()).computeIfAbsent(c.name(), k -> new ArrayList<>())
                .add(f.workload.id);
          }
        }
      }
    }
    byText.forEach((text, byWho) -> {
      Map<List<String>, List<String>> whoByWorkloads = new LinkedHashMap<>();
      byWho.forEach((who, ids) -> whoByWorkloads.computeIfAbsent(ids, k -> new ArrayList<>()).add(who));
      whoByWorkloads.forEach((ids, who) -> notes.add(String.join(", ", who) + " - " + String.join(", ", ids) + ": " + text));
    });
    if (!notes.isEmpty()) {
      out.println();
      out.println("Notes:");
      notes.forEach(n -> out.println("  - " + n));
    }
  }

  private static void matrix(PrintWriter out, String heading, List<Contender> group) {
    int labelWidth = heading.length();
    for (Workload w : Workload.values()) {
      labelWidth = Math.max(labelWidth, label(w).length());
    }
    List<Integer> widths = new ArrayList<>();
    for (Contender c : group) {
      int width = c.name().length();
      for (Figure f : c.figures().values()) {
        width = Math.max(width, Math.max(cell(f).length(), range(f).length()));
      }
      widths.add(width);
    }
    StringBuilder head = new StringBuilder(pad(heading, labelWidth));
    for (int i = 0; i < group.size(); i++) {
      head.append("  ").append(padLeft(group.get(i).name(), widths.get(i)));
    }
    out.println(head);
    for (Workload w : Workload.values()) {
      if (group.stream().noneMatch(c -> c.figures().containsKey(w) && c.figures().get(w).ok())) {
        continue;
      }
      StringBuilder line = new StringBuilder(pad(label(w), labelWidth));
      StringBuilder second = new StringBuilder(" ".repeat(labelWidth));
      for (int i = 0; i < group.size(); i++) {
        Figure f = group.get(i).figures().get(w);
        line.append("  ").append(padLeft(f == null ? "-" : cell(f), widths.get(i)));
        second.append("  ").append(padLeft(f == null ? "" : range(f), widths.get(i)));
      }
      out.println(line);
      if (!second.toString().isBlank()) {
        out.println(second.toString().stripTrailing());
      }
    }
  }

  private static String cell(Figure f) {
    return !f.ok() ? "n/a" : f.noCopy() ? "no copy" : number(f.median());
  }

  private static String range(Figure f) {
    return f.ok() && !f.noCopy() && f.samples.size() > 1 ? "[" + number(f.min()) + ".." + number(f.max()) + "]" : "";
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }

  private static String padLeft(String s, int width) {
    return " ".repeat(Math.max(0, width - s.length())) + s;
  }
}
