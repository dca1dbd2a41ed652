package dev.unipool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The README's "Use it in your project" section, checked against this build: the dependency lines name
 * artifacts that exist, at the project's version, and the BOM manages them; the module names are the
 * jars' own; and a consumer program, compiled against the built jars, runs without warnings on the class
 * path, on the module path and as a fat jar, each time with exactly the flags and manifest entries the
 * README gives (taken from README.md itself, so the text and the test cannot drift apart).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReadmeConsumerTest {
  private static final String HEADING = "## Use it in your project";

  /**
   * A program a user would write. Run with {@code -Dunipool.codec=fory}, its pool encodes the tasks (which
   * capture a list) with Apache Fory in this JVM at submit: what the README's flags are about.
   */
  private static final String CONSUMER = """
      package com.example.app;

      import dev.unipool.Backend;
      import dev.unipool.Pool;
      import dev.unipool.SerializableCallable;
      import java.util.ArrayList;
      import java.util.List;
      import java.util.concurrent.ExecutorService;
      import java.util.concurrent.Future;

      public class Main {
        public static void main(String[] args) throws Exception {
          List<Integer> xs = new ArrayList<>(List.of(6, 7));
          try (Pool pool = Pool.of(Backend.parse(args[0]))) {
            ExecutorService es = pool; // the README's advice for invokeAll through an ExecutorService
            List<SerializableCallable<Integer>> tasks =
                List.of(() -> xs.get(0) * xs.get(1), () -> xs.get(1) * xs.get(1));
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> f : es.invokeAll(tasks)) {
              results.add(f.get());
            }
            System.out.println("invokeAll: " + results);
          }
          System.out.println("process module resolved: "
              + ModuleLayer.boot().findModule("dev.unipool.process").isPresent());
        }
      }
      """;

  private static String section = "";

  @TempDir Path tmp;

  @BeforeAll
  static void readSection() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("\n" + HEADING + "\n");
    assertTrue(start >= 0, "README.md has a section " + HEADING);
    int end = readme.indexOf("\n## ", start + 1);
    section = readme.substring(start, end < 0 ? readme.length() : end);
  }

  private static List<String> blocks(String language) {
    List<String> found = new ArrayList<>();
    Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(section);
    while (m.find()) {
      found.add(m.group(1));
    }
    assertFalse(found.isEmpty(), "a ```" + language + " block in " + HEADING);
    return found;
  }

  private static Document xml(String block) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(("<snippet>" + block + "</snippet>").getBytes(StandardCharsets.UTF_8)));
  }

  private static String projectVersion() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("..", "pom.xml").toFile());
    return child(pom.getDocumentElement(), "version");
  }

  private static String child(Element e, String name) {
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element c && c.getTagName().equals(name)) {
        return c.getTextContent().strip();
      }
    }
    return "";
  }

  private static List<Element> dependencies(Document d) {
    List<Element> out = new ArrayList<>();
    NodeList all = d.getElementsByTagName("dependency");
    for (int i = 0; i < all.getLength(); i++) {
      out.add((Element) all.item(i));
    }
    return out;
  }

  /** The released version the README names is this build's version without -SNAPSHOT. */
  private static String releaseVersion() throws Exception {
    return projectVersion().replace("-SNAPSHOT", "");
  }

  @Test
  void mavenLines_nameBuiltArtifacts_importTheBomAtTheProjectsVersion() throws Exception {
    Set<String> named = new LinkedHashSet<>();
    boolean bomImported = false;
    for (String block : blocks("xml")) {
      Document d = xml(block); // well-formed, or this throws
      for (Element dep : dependencies(d)) {
        if (!child(dep, "groupId").equals("dev.unipool")) {
          continue;
        }
        String artifact = child(dep, "artifactId");
        named.add(artifact);
        assertTrue(Files.isRegularFile(Path.of("..", artifact, "pom.xml")), artifact + " is a module of this build");
        if (artifact.equals("unipool-bom")) {
          bomImported = true;
          assertEquals(releaseVersion(), child(dep, "version"), "the BOM's version");
          assertEquals("import", child(dep, "scope"));
          assertEquals("pom", child(dep, "type"));
        } else {
          assertEquals("", child(dep, "version"), artifact + " takes its version from the BOM");
        }
      }
    }
    assertTrue(bomImported, "the Maven lines import unipool-bom");
    assertTrue(named.containsAll(List.of("unipool-core", "unipool-process", "unipool-hazelcast")), named::toString);

    Set<String> managed = new HashSet<>();
    Document bom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(Path.of("..", "unipool-bom", "pom.xml").toFile());
    assertEquals(projectVersion(), child(bom.getDocumentElement(), "version"), "the BOM moves with the build");
    dependencies(bom).forEach(dep -> managed.add(child(dep, "artifactId")));
    named.remove("unipool-bom");
    assertTrue(managed.containsAll(named), () -> "the BOM manages " + managed + ", the README names " + named);
    assertTrue(managed.contains("unipool-testkit"), "and the testkit the artifact table lists");
  }

  @Test
  void gradleLines_nameTheSameArtifacts_throughTheBom() throws Exception {
    String gradle = String.join("\n", blocks("kotlin"));
    Matcher m = Pattern.compile("\"dev\\.unipool:([a-z-]+)(?::([^\"]+))?\"").matcher(gradle);
    Set<String> named = new LinkedHashSet<>();
    while (m.find()) {
      named.add(m.group(1));
      assertTrue(Files.isRegularFile(Path.of("..", m.group(1), "pom.xml")), m.group(1));
      if (m.group(1).equals("unipool-bom")) {
        assertEquals(releaseVersion(), m.group(2));
        assertTrue(gradle.contains("platform(\"dev.unipool:unipool-bom:"), gradle);
      } else {
        assertEquals(null, m.group(2), m.group(1) + " takes its version from the BOM");
      }
    }
    assertEquals(Set.of("unipool-bom", "unipool-core", "unipool-process", "unipool-hazelcast"), named);
  }

  @Test
  void artifactTable_moduleNames_areTheBuiltModulesNames() throws Exception {
    Matcher row = Pattern.compile("\\| `(unipool-[a-z]+)` \\| `(dev\\.unipool\\.[a-z]+)`").matcher(section);
    Map<String, String> table = new LinkedHashMap<>();
    while (row.find()) {
      table.put(row.group(1), row.group(2));
    }
    assertEquals(List.of("unipool-core", "unipool-process", "unipool-hazelcast", "unipool-remote",
        "unipool-micrometer", "unipool-testkit"), List.copyOf(table.keySet()));
    assertEquals(table.get("unipool-remote"), moduleName(location("dev.unipool.remote.Codec")));
    assertEquals(table.get("unipool-core"), moduleName(location("dev.unipool.Pool")));
    assertEquals(table.get("unipool-process"),
        moduleName(location("dev.unipool.process.internal.ProcessPoolProvider")));
    assertEquals(table.get("unipool-hazelcast"),
        moduleName(location("dev.unipool.hazelcast.internal.ClusterPoolProvider")));
    // Not a dependency of this module: its module-info says its name.
    assertTrue(Files.readString(Path.of("..", "unipool-micrometer", "src", "main", "java", "module-info.java"))
        .contains("module " + table.get("unipool-micrometer") + " {"));
    // The testkit has no module-info; its jar names its automatic module in the manifest.
    assertTrue(Files.readString(Path.of("..", "unipool-testkit", "pom.xml"))
        .contains("<Automatic-Module-Name>" + table.get("unipool-testkit") + "</Automatic-Module-Name>"));
  }

  private static String moduleName(Path jarOrClasses) {
    Set<ModuleReference> found = ModuleFinder.of(jarOrClasses).findAll();
    assertEquals(1, found.size(), jarOrClasses::toString);
    return found.iterator().next().descriptor().name();
  }

  /** The jar (or, in a build that did not package, the class directory) a class was loaded from. */
  private static Path location(String className) throws ClassNotFoundException, URISyntaxException {
    return Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  // ---- the consumer program, three ways ----

  private Path compileOnClassPath(List<Path> classPath) throws IOException {
    Path src = tmp.resolve("cp-src/com/example/app/Main.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, CONSUMER);
    Path out = tmp.resolve("cp-out");
    javac("-d", out.toString(), "-cp", join(classPath), src.toString());
    return out;
  }

  private static void javac(String... args) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "tests run on a JDK");
    assertEquals(0, javac.run(null, null, null, args), () -> "javac " + String.join(" ", args));
  }

  private static String join(List<Path> paths) {
    return String.join(File.pathSeparator, paths.stream().map(Path::toString).toList());
  }

  /** The flag the README's table gives for a row whose first cell starts with {@code where}. */
  private static String readmeFlag(String where) {
    Matcher m = Pattern.compile("\\| " + Pattern.quote(where) + "[^|]*\\| `(--add-opens=[^`]+)`").matcher(section);
    assertTrue(m.find(), "the JVM flags table has a row for " + where);
    return m.group(1);
  }

  private static List<Path> libraryJars() throws Exception {
    return List.of(location("dev.unipool.Pool"), location("dev.unipool.process.internal.ProcessPoolProvider"),
        location("dev.unipool.remote.Codec"), location("org.apache.fory.Fory"));
  }

  private static String run(List<String> command) throws Exception {
    List<String> full = new ArrayList<>();
    full.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    full.add("-Dunipool.codec=fory"); // Fory from the first object, in this JVM and the workers
    full.addAll(command);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), () -> String.join(" ", full) + "\n" + out);
    assertTrue(out.contains("invokeAll: [42, 49]"), out);
    assertFalse(out.contains("WARNING") || out.contains("Exception") || out.contains("Error"),
        () -> "warnings or errors:\n" + out);
    return out;
  }

  @Test
  void consumer_onTheClassPath_withTheReadmesFlag_runsOnWorkerProcesses_withoutWarnings() throws Exception {
    List<Path> jars = libraryJars();
    Path classes = compileOnClassPath(jars);
    List<Path> cp = new ArrayList<>(List.of(classes));
    cp.addAll(jars);
    run(List.of(readmeFlag("on the class path"), "-cp", join(cp), "com.example.app.Main", "processes:1"));
  }

  @Test
  void consumer_onTheModulePath_withTheReadmesRequiresAndFlag_runsOnWorkerProcessesFoundByServiceBinding()
      throws Exception {
    String moduleInfo = blocks("java").stream().filter(b -> b.strip().startsWith("module ")).findFirst()
        .orElseThrow(() -> new AssertionError("a module-info block in " + HEADING));
    Path src = tmp.resolve("mod-src");
    Files.createDirectories(src.resolve("com/example/app"));
    Files.writeString(src.resolve("module-info.java"), moduleInfo);
    Files.writeString(src.resolve("com/example/app/Main.java"), CONSUMER);
    Path out = tmp.resolve("mod-out");
    List<Path> jars = libraryJars();
    javac("-Xlint:-incubating", "-d", out.toString(), "--module-path", join(jars),
        src.resolve("module-info.java").toString(), src.resolve("com/example/app/Main.java").toString());
    List<Path> mp = new ArrayList<>(List.of(out));
    mp.addAll(jars);
    String output = run(List.of(readmeFlag("on the module path"), "--module-path", join(mp),
        "-m", moduleName(out) + "/com.example.app.Main", "processes:1"));
    assertTrue(output.contains("process module resolved: true"), output);
  }

  @Test
  void consumer_asAFatJar_withTheReadmesManifestEntries_runsOnWorkerProcesses_withoutWarnings() throws Exception {
    Document shade = blocks("xml").stream().filter(b -> b.contains("<manifestEntries>")).findFirst()
        .map(b -> {
          try {
            return xml(b);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        })
        .orElseThrow(() -> new AssertionError("a shade configuration in " + HEADING));
    NodeList transformers = shade.getElementsByTagName("transformer");
    Set<String> kinds = new HashSet<>();
    for (int i = 0; i < transformers.getLength(); i++) {
      kinds.add(((Element) transformers.item(i)).getAttribute("implementation"));
    }
    assertEquals(Set.of("org.apache.maven.plugins.shade.resource.ManifestResourceTransformer",
        "org.apache.maven.plugins.shade.resource.ServicesResourceTransformer"), kinds);
    Element entries = (Element) shade.getElementsByTagName("manifestEntries").item(0);
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "com.example.app.Main");
    for (Node n = entries.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        manifest.getMainAttributes().putValue(e.getTagName(), e.getTextContent().strip());
      }
    }
    List<Path> jars = libraryJars();
    Path classes = compileOnClassPath(jars);
    Path fat = tmp.resolve("app.jar");
    List<Path> parts = new ArrayList<>(List.of(classes));
    parts.addAll(jars);
    shadeLikeThePlugin(parts, manifest, fat);

    run(List.of("-jar", fat.toString(), "processes:1"));
  }

  /**
   * What the shade plugin does with the README's configuration: every class and resource of the parts in
   * one jar, module descriptors and signatures left out, service files merged line by line, and the
   * given manifest.
   */
  private static void shadeLikeThePlugin(List<Path> parts, Manifest manifest, Path target) throws IOException {
    Map<String, StringBuilder> services = new LinkedHashMap<>();
    Set<String> written = new HashSet<>();
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(target), manifest)) {
      written.add(JarFile.MANIFEST_NAME);
      for (Path part : parts) {
        if (Files.isDirectory(part)) {
          try (Stream<Path> files = Files.walk(part)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
              String name = part.relativize(f).toString().replace(File.separatorChar, '/');
              try (InputStream in = Files.newInputStream(f)) {
                copy(name, in, jar, written, services);
              }
            }
          }
        } else {
          try (JarFile source = new JarFile(part.toFile())) {
            for (JarEntry e : source.stream().filter(e -> !e.isDirectory()).toList()) {
              try (InputStream in = source.getInputStream(e)) {
                copy(e.getName(), in, jar, written, services);
              }
            }
          }
        }
      }
      for (Map.Entry<String, StringBuilder> s : services.entrySet()) {
        jar.putNextEntry(new JarEntry(s.getKey()));
        jar.write(s.getValue().toString().getBytes(StandardCharsets.UTF_8));
        jar.closeEntry();
      }
    }
  }

  private static void copy(String name, InputStream in, JarOutputStream jar, Set<String> written,
      Map<String, StringBuilder> services) throws IOException {
    boolean skipped = name.equals(JarFile.MANIFEST_NAME) || name.endsWith("module-info.class")
        || name.matches("META-INF/[^/]+\\.(SF|DSA|RSA)");
    if (skipped) {
      return;
    }
    if (name.startsWith("META-INF/services/")) {
      services.computeIfAbsent(name, k -> new StringBuilder())
          .append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
      return;
    }
    if (written.add(name)) {
      jar.putNextEntry(new JarEntry(name));
      in.transferTo(jar);
      jar.closeEntry();
    }
  }
}
