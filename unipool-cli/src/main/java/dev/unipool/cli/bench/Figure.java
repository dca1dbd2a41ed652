package dev.unipool.cli.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One workload's result for one contender: the samples of its main figure (one per repetition), the
 * parameters it ran with, secondary figures and notes, or why it was not measured ("n/a"). Filled by one
 * thread, read after the run.
 */
final class Figure {
  final Workload workload;
  final String unit;
  final List<Double> samples = new ArrayList<>();
  final Map<String, Object> params = new LinkedHashMap<>();
  /** Secondary figures (e.g. the makespan of the I/O workload), one sample per repetition each. */
  final Map<String, List<Double>> extras = new LinkedHashMap<>();
  final List<String> notes = new ArrayList<>();
  private @Nullable String naReason;

  /** The parameter that marks a payload figure where nothing was copied (an in-process backend). */
  static final String COPIED = "copied";

  Figure(Workload workload) {
    this(workload, workload.unit);
  }

  Figure(Workload workload, String unit) {
    this.workload = workload;
    this.unit = unit;
  }

  static Figure notApplicable(Workload workload, String reason) {
    Figure f = new Figure(workload);
    f.naReason = reason;
    return f;
  }

  void add(double sample) {
    samples.add(sample);
  }

  void extra(String name, double sample) {
    extras.computeIfAbsent(name, k -> new ArrayList<>()).add(sample);
  }

  /** The median of a secondary figure, or NaN if it was not recorded. */
  double extraMedian(String name) {
    List<Double> values = extras.get(name);
    return values == null ? Double.NaN : median(values);
  }

  void note(String note) {
    if (!notes.contains(note)) {
      notes.add(note);
    }
  }

  /** Marks the figure as not measured; samples taken so far are kept in the JSON but not reported. */
  void fail(String reason) {
    if (naReason == null) {
      naReason = reason;
    }
  }

  /** Whether the figure was marked n/a (as opposed to not measured yet). */
  boolean failed() {
    return naReason != null;
  }

  /**
   * Whether the figure measured nothing but a reference handed back: a payload "round trip" of an
   * in-process backend, millions of MB/s that compare with nothing. Reports show "no copy" instead.
   */
  boolean noCopy() {
    return Boolean.FALSE.equals(params.get(COPIED));
  }

  boolean ok() {
    return naReason == null && !samples.isEmpty();
  }

  String reason() {
    if (naReason != null) {
      return naReason;
    }
    return samples.isEmpty() ? "no samples" : "";
  }

  double median() {
    return median(samples);
  }

  double min() {
    return samples.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  double max() {
    return samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  static double median(long[] values) {
    long[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
  }

  /** The JSON form: status, unit, samples, median, min, max, params, extras, notes; or status n/a and reason. */
  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", ok() ? "ok" : "n/a");
    m.put("unit", unit);
    if (!ok()) {
      m.put("reason", reason());
    }
    m.put("samples", samples);
    if (ok()) {
      m.put("median", median());
      m.put("min", min());
      m.put("max", max());
    }
    m.put("params", params);
    if (!extras.isEmpty()) {
      Map<String, Object> ex = new LinkedHashMap<>();
      extras.forEach((k, v) -> {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("samples", v);
        e.put("median", median(v));
        ex.put(k, e);
      });
      m.put("extras", ex);
    }
    m.put("notes", notes);
    return m;
  }
}
