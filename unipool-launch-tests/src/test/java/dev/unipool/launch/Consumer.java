package dev.unipool.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A consumer application of unipool, as a new user would write it, and the ways to build and run it. Its
 * {@code App} opens {@code Pool.of(Backend.processes(2))} and runs a lambda, a record task of its own,
 * {@code map} and {@code imapUnordered}; it prints {@code UNIPOOL-OK parent=PID workers=PID,...} when every
 * result is right and no task ran in its own process, and the workers' class path.
 */
final class Consumer {
  static final String APP_SOURCE = """
      package %1$s;

      import dev.unipool.Backend;
      import dev.unipool.Pool;
      import dev.unipool.SerializableCallable;
      import dev.unipool.TaskFuture;
      import java.util.List;
      import java.util.Set;
      import java.util.TreeSet;
      import java.util.concurrent.TimeUnit;
      import java.util.stream.Collectors;
      import java.util.stream.IntStream;

      public class App {
        /** A task class of the application's own. */
        public record Square(int n) implements SerializableCallable<Long> {
          @Override
          public Long call() {
            return (long) n * n;
          }
        }

        public static void main(String[] args) throws Exception {
          System.out.println(run());
        }

        public static String run() throws Exception {
          long parent = ProcessHandle.current().pid();
          Set<Long> pids = new TreeSet<>();
          String worker;
          try (Pool pool = Pool.of(Backend.processes(2))) {
            TaskFuture<Long> lambda = pool.submit(() -> ProcessHandle.current().pid());
            pids.add(lambda.get(120, TimeUnit.SECONDS));
            pids.add(lambda.worker().orElseThrow().pid());
            long square = pool.submit(new Square(7)).get(120, TimeUnit.SECONDS);
            check(square == 49, "Square(7) gave " + square);
            List<Long> squares = pool.map(x -> new Square(x).call(), List.of(1, 2, 3, 4));
            check(squares.equals(List.of(1L, 4L, 9L, 16L)), "map gave " + squares);
            List<Long> unordered = pool.imapUnordered(x -> ProcessHandle.current().pid(),
                IntStream.range(0, 40).boxed().toList()).toList();
            check(unordered.size() == 40, "imapUnordered gave " + unordered.size() + " results");
            pids.addAll(unordered);
            worker = pool.submit(() -> "class path " + System.getProperty("java.class.path")
                + "; module path " + System.getProperty("jdk.module.path")
                + "; task class in " + Square.class.getModule()).get(120, TimeUnit.SECONDS);
          }
          check(!pids.contains(parent), "a task ran in the application's own process " + parent);
          return "UNIPOOL-OK parent=" + parent + " workers="
              + pids.stream().map(String::valueOf).collect(Collectors.joining(","))
              + "\\nUNIPOOL-WORKER " + worker;
        }

        private static void check(boolean ok, String what) {
          if (!ok) {
            throw new AssertionError(what);
          }
        }
      }
      """;

  private Consumer() {}

  // ---- what the consumer is built from ----

  /** unipool-core, unipool-process, unipool-remote and Apache Fory: the jars a consumer's build resolves. */
  static List<Path> libraries() {
    return List.of(jarOf("dev.unipool.Pool"), jarOf("dev.unipool.process.internal.WorkerMain"),
        jarOf("dev.unipool.remote.Codec"), jarOf("org.apache.fory.Fory"));
  }

  /** The jar (or classes directory) a class of the test class path was loaded from. */
  static Path jarOf(String className) {
    try {
      Class<?> c = Class.forName(className, false, Consumer.class.getClassLoader());
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (ReflectiveOperationException | java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot find " + className + " on the test class path", e);
    }
  }

  /** The libraries as jars: a module built only to {@code target/classes} is jarred here. */
  static List<Path> libraryJars(Path dir) throws IOException {
    List<Path> jars = new ArrayList<>();
    for (Path lib : libraries()) {
      if (Files.isDirectory(lib)) {
        Path jar = dir.resolve(lib.getParent().getParent().getFileName() + ".jar");
        if (!Files.exists(jar)) {
          jarDirectory(lib, jar, null);
        }
        jars.add(jar);
      } else {
        jars.add(lib);
      }
    }
    return jars;
  }

  /**
   * Writes sources under {@code dir/src} and compiles them into {@code dir/classes}: the app in package
   * {@code pkg} (none if null) and {@code extraSources}, by file name.
   */
  static Path compile(Path dir, String pkg, List<Path> classPath, Map<String, String> extraSources) throws IOException {
    Path src = dir.resolve("src");
    Path classes = dir.resolve("classes");
    Map<String, String> sources = new LinkedHashMap<>();
    if (pkg != null) {
      sources.put(pkg.replace('.', '/') + "/App.java", APP_SOURCE.formatted(pkg));
    }
    sources.putAll(extraSources);
    List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-proc:none", "-Xlint:none"));
    if (!classPath.isEmpty()) {
      args.add(extraSources.containsKey("module-info.java") ? "--module-path" : "-cp");
      args.add(join(classPath));
    }
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path file = src.resolve(e.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
      args.add(file.toString());
    }
    Files.createDirectories(classes);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    java.io.StringWriter errors = new java.io.StringWriter();
    int rc = javac.run(null, null, new OutputStreamAdapter(errors), args.toArray(String[]::new));
    assertEquals(0, rc, () -> "javac failed: " + errors);
    return classes;
  }

  /** Jars a directory, with a manifest naming {@code mainClass} when given. */
  static Path jarDirectory(Path classes, Path jar, String mainClass) throws IOException {
    return jarDirectory(classes, jar, mainClass, Map.of());
  }

  /** Jars a directory, with a manifest naming {@code mainClass} when given, and these attributes. */
  static Path jarDirectory(Path classes, Path jar, String mainClass, Map<String, String> attributes) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (mainClass != null) {
      manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
    }
    attributes.forEach(manifest.getMainAttributes()::putValue);
    Files.createDirectories(jar.getParent());
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
        Stream<Path> all = Files.walk(classes)) {
      for (Path p : all.sorted().toList()) {
        if (Files.isRegularFile(p)) {
          out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace(File.separatorChar, '/')));
          Files.copy(p, out);
          out.closeEntry();
        }
      }
    }
    return jar;
  }

  /**
   * What {@code maven-shade-plugin} makes by default: every class of the app and its libraries in one jar,
   * the first copy of a resource winning (service files merged, as its ServicesResourceTransformer does),
   * and a manifest of its own: {@code Main-Class} and {@code attributes} only (as its
   * ManifestResourceTransformer writes them), so Fory's {@code Multi-Release: true} is lost unless given.
   */
  static Path shade(Path classes, List<Path> libraries, Path jar, String mainClass, Map<String, String> attributes)
      throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    Map<String, StringBuilder> services = new LinkedHashMap<>();
    try (Stream<Path> all = Files.walk(classes)) {
      for (Path p : all.sorted().toList()) {
        if (Files.isRegularFile(p)) {
          entries.put(classes.relativize(p).toString().replace(File.separatorChar, '/'), Files.readAllBytes(p));
        }
      }
    }
    for (Path lib : libraries) {
      try (ZipFile zip = new ZipFile(lib.toFile())) {
        for (ZipEntry e : java.util.Collections.list(zip.entries())) {
          String name = e.getName();
          if (e.isDirectory() || name.equals("META-INF/MANIFEST.MF") || name.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)")) {
            continue;
          }
          try (InputStream in = zip.getInputStream(e)) {
            byte[] bytes = in.readAllBytes();
            if (name.startsWith("META-INF/services/")) {
              services.computeIfAbsent(name, n -> new StringBuilder()).append(new String(bytes, StandardCharsets.UTF_8)).append('\n');
            } else {
              entries.putIfAbsent(name, bytes);
            }
          }
        }
      }
    }
    services.forEach((name, text) -> entries.put(name, text.toString().getBytes(StandardCharsets.UTF_8)));
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
    attributes.forEach(manifest.getMainAttributes()::putValue);
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        out.putNextEntry(new JarEntry(e.getKey()));
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return jar;
  }

  // ---- running it ----

  /** A finished run: its exit code and its stdout and stderr, interleaved. */
  record Run(List<String> command, int exitCode, String output) {
    /** Asserts the app ran its tasks on workers with PIDs of their own, and that no worker warned. */
    String assertRanOnWorkers() {
      assertEquals(0, exitCode, () -> "the application failed:\n" + this);
      Matcher ok = Pattern.compile("UNIPOOL-OK parent=(\\d+) workers=([\\d,]+)").matcher(output);
      assertTrue(ok.find(), () -> "no UNIPOOL-OK line:\n" + this);
      long parent = Long.parseLong(ok.group(1));
      List<Long> workers = Arrays.stream(ok.group(2).split(",", -1)).map(Long::parseLong).toList();
      assertFalse(workers.isEmpty(), () -> "no worker pids:\n" + this);
      assertFalse(workers.contains(parent), () -> "a task ran in the parent:\n" + this);
      assertNoWorkerWarnings();
      Matcher worker = Pattern.compile("UNIPOOL-WORKER (.*)").matcher(output);
      assertTrue(worker.find(), () -> "no UNIPOOL-WORKER line:\n" + this);
      return worker.group(1);
    }

    /**
     * Asserts no JVM, the application's included, printed a warning ({@code WARNING: ...}, prefixed with
     * {@code [worker-N] } for a worker); Maven's own {@code [WARNING]} log lines are not JVM warnings.
     */
    void assertNoWarningsAtAll() {
      Pattern jvmWarning = Pattern.compile("^(\\[worker-\\d+\\] )?WARNING:");
      for (String line : output.lines().toList()) {
        assertFalse(jvmWarning.matcher(line).find(), () -> "a JVM warned: " + line + "\n" + this);
      }
    }

    /** Asserts no worker printed a JVM warning or failed to find its main class. */
    void assertNoWorkerWarnings() {
      for (String line : output.lines().toList()) {
        if (line.contains("[worker-")) {
          String lower = line.toLowerCase(java.util.Locale.ROOT);
          if (lower.contains("warning") || lower.contains("unknown module") || lower.contains("could not find")
              || lower.contains("error")) {
            fail("a worker printed: " + line + "\n" + this);
          }
        }
      }
      assertFalse(output.contains("Could not find or load main class"), () -> "a JVM could not start:\n" + this);
    }

    @Override
    public String toString() {
      return "$ " + String.join(" ", command) + "\n(exit code " + exitCode + ")\n" + output;
    }
  }

  /** The {@code java} of this JVM. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Runs a command to completion (at most 5 minutes) in {@code dir}, with extra environment variables. */
  static Run run(Path dir, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().remove(WORKER_CLASSPATH_ENV); // a developer's own setting must not leak into the test
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[][] out = new byte[1][];
    Thread reader = Thread.ofPlatform().start(() -> {
      try {
        out[0] = p.getInputStream().readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor();
      reader.join(10_000);
      fail("still running after 5 minutes: " + command + "\n" + new String(out[0] == null ? new byte[0] : out[0], StandardCharsets.UTF_8));
    }
    reader.join(60_000);
    return new Run(command, p.exitValue(), new String(out[0] == null ? new byte[0] : out[0], StandardCharsets.UTF_8));
  }

  static final String WORKER_CLASSPATH_ENV = "UNIPOOL_WORKER_CLASSPATH";

  static String join(List<Path> paths) {
    return String.join(File.pathSeparator, paths.stream().map(Path::toString).toList());
  }

  /** javac's diagnostics into a writer. */
  private static final class OutputStreamAdapter extends OutputStream {
    private final java.io.Writer to;

    OutputStreamAdapter(java.io.Writer to) {
      this.to = to;
    }

    @Override
    public void write(int b) throws IOException {
      to.write(b);
    }
  }
}
