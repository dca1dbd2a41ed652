package dev.unipool.cli.bench;

import dev.unipool.cli.Progress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Runs the Python peers: extracts {@code peers.py} from this jar's resources (so it is found wherever the
 * jar is, whatever the working directory), runs it with {@code python3} and reads its JSON.
 */
final class Peers {
  /** The outcome: the peers measured, or why there are none. */
  record Outcome(List<Contender> peers, @Nullable String python, @Nullable String skipped) {}

  private Peers() {}

  /** Writes the shipped script to {@code dir} and returns its path. */
  static Path extractScript(Path dir) throws IOException {
    Path script = dir.resolve("peers.py");
    try (InputStream in = Peers.class.getResourceAsStream("peers.py")) {
      if (in == null) {
        throw new IOException("peers.py is missing from the unipool-cli jar's resources");
      }
      Files.copy(in, script);
    }
    return script;
  }

  /** The {@code python3} to use: {@code UNIPOOL_PYTHON} if set, else the first on the PATH, else null. */
  static @Nullable String findPython() {
    String explicit = System.getenv("UNIPOOL_PYTHON");
    if (explicit != null && !explicit.isBlank()) {
      return explicit;
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(java.io.File.pathSeparator, -1)) { // an empty entry (even last) is "."
      Path p = Path.of(d.isEmpty() ? "." : d, "python3");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  @SuppressWarnings("ReferenceEquality") // Mode's constants are the only instances the bench passes
  static Outcome run(Mode mode, int workers, Path dir, boolean showProgress) throws IOException, InterruptedException {
    String python = findPython();
    if (python == null) {
      return new Outcome(List.of(), null, "python3 was not found on the PATH (or UNIPOOL_PYTHON); peers skipped");
    }
    Path script = extractScript(dir);
    Path out = dir.resolve("peers.json");
    List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--out", out.toString(),
        "--workers", Integer.toString(workers)));
    if (mode == Mode.TINY) {
      cmd.add("--tiny");
    } else {
      boolean full = mode == Mode.FULL;
      cmd.addAll(List.of("--reps", Integer.toString(full ? 3 : 1),
          "--round-trips", Integer.toString(mode.roundTrips()),
          "--tasks", Integer.toString(mode.tasks()),
          "--map-items", Integer.toString(mode.mapItems()),
          "--map-sizes", String.join(",", mode.mapSizes().stream().map(String::valueOf).toList()),
          // CPython runs do_math about 100x slower than the JIT: fewer iterations, the same ratio.
          "--cpu-iterations", Integer.toString(full ? 4_000_000 : 1_000_000),
          "--io-tasks", Integer.toString(mode.ioTasks()),
          "--io-per-worker", Integer.toString(mode.ioTasksPerWorker()),
          "--payload-small", Integer.toString(mode.smallPayload()),
          "--payload-large", Integer.toString(mode.largePayload()),
          "--warm-fraction", Double.toString(mode.warmFraction()),
          "--idle-seconds", Double.toString(mode.idleMillis() / 1000.0)));
    }
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
    p.getOutputStream().close();
    CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return e.toString();
      }
    });
    Progress bar = Progress.NONE;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.startsWith("plan ")) {
          bar.close();
          bar = Progress.start("python peer runs", Integer.parseInt(line.substring(5).strip()), showProgress);
        } else if (line.startsWith("step ")) {
          bar.step();
        }
      }
    } finally {
      bar.close();
    }
    int code = p.waitFor();
    String err = stderr.join();
    if (code != 0 || !Files.exists(out)) {
      return new Outcome(List.of(), null, "the peers script failed (exit " + code + "): " + tail(err));
    }
    Map<String, Object> doc = asMap(JsonReader.parse(Files.readString(out)));
    String version = String.valueOf(doc.get("python"));
    List<Contender> peers = new ArrayList<>();
    for (Object o : asList(doc.get("peers"))) {
      Map<String, Object> peer = asMap(o);
      Contender c = new Contender(String.valueOf(peer.get("name")), Contender.Kind.PEER);
      Map<String, Object> results = asMap(peer.get("results"));
      for (Workload w : Workload.values()) {
        Object r = results.get(w.id);
        c.figures().put(w, r == null ? Figure.notApplicable(w, "not measured by the peers script") : figure(w, asMap(r)));
      }
      peers.add(c);
    }
    return new Outcome(peers, version, null);
  }

  private static Figure figure(Workload w, Map<String, Object> r) {
    Figure f = new Figure(w, String.valueOf(r.getOrDefault("unit", w.unit)));
    for (Object s : asList(r.get("samples"))) {
      f.add(((Number) s).doubleValue());
    }
    Object params = r.get("params");
    if (params != null) {
      asMap(params).forEach((k, v) -> f.params.put(k, v instanceof Double d && d == Math.rint(d) ? d.longValue() : v));
    }
    Object extras = r.get("extras");
    if (extras != null) {
      asMap(extras).forEach((k, v) -> {
        for (Object s : asList(asMap(v).get("samples"))) {
          f.extra(k, ((Number) s).doubleValue());
        }
      });
    }
    for (Object n : asList(r.getOrDefault("notes", List.of()))) {
      f.note(String.valueOf(n));
    }
    if (!"ok".equals(r.get("status"))) {
      f.fail(String.valueOf(r.getOrDefault("reason", "not measured")));
    }
    return f;
  }

  private static String tail(String text) {
    List<String> lines = text.strip().lines().toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(@Nullable Object o) {
    if (o instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw new IllegalArgumentException("peers.py printed unexpected JSON: expected an object, got " + o);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> asList(@Nullable Object o) {
    if (o instanceof List<?> l) {
      return (List<Object>) l;
    }
    throw new IllegalArgumentException("peers.py printed unexpected JSON: expected an array, got " + o);
  }
}
