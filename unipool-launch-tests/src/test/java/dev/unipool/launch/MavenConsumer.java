package dev.unipool.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The consumer as a Maven project, run by the Maven that runs this build, offline. unipool's artifacts are
 * installed into a private local repository (never into the shared one), whose read-only tail is this
 * build's local repository, where Maven finds its plugins, Fory and JUnit.
 */
final class MavenConsumer {
  private final Path project;
  private final Path repository;

  private MavenConsumer(Path project, Path repository) {
    this.project = project;
    this.repository = repository;
  }

  /**
   * Lays out a Maven project depending on {@code dev.unipool:unipool-core} and {@code unipool-process},
   * with {@code target/classes} (and {@code target/test-classes}) already compiled, since Maven's compiler
   * plugin would add nothing to what is tested and cost seconds.
   */
  static MavenConsumer create(Path project, List<String> extraDependencies) throws IOException {
    Path repository = project.resolve("repository");
    String version = property("unipool.test.version");
    Path root = Path.of(property("unipool.test.root"));
    install(repository, "unipool-parent", version, root.resolve("pom.xml"), null);
    install(repository, "unipool-core", version, root.resolve("unipool-core/pom.xml"), Consumer.libraryJars(project).get(0));
    install(repository, "unipool-process", version, root.resolve("unipool-process/pom.xml"),
        Consumer.libraryJars(project).get(1));
    install(repository, "unipool-remote", version, root.resolve("unipool-remote/pom.xml"),
        Consumer.libraryJars(project).get(2));
    StringBuilder deps = new StringBuilder();
    for (String artifact : List.of("unipool-core", "unipool-process")) {
      deps.append("    <dependency><groupId>dev.unipool</groupId><artifactId>").append(artifact)
          .append("</artifactId><version>").append(version).append("</version></dependency>\n");
    }
    extraDependencies.forEach(d -> deps.append("    ").append(d).append('\n'));
    Files.writeString(project.resolve("pom.xml"), """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>com.example</groupId>
          <artifactId>consumer</artifactId>
          <version>1.0</version>
          <properties>
            <maven.compiler.release>25</maven.compiler.release>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
          </properties>
          <dependencies>
        %s  </dependencies>
        </project>
        """.formatted(deps), StandardCharsets.UTF_8);
    return new MavenConsumer(project, repository);
  }

  private static void install(Path repository, String artifact, String version, Path pom, Path jar) throws IOException {
    Path dir = repository.resolve("dev/unipool/" + artifact + "/" + version);
    Files.createDirectories(dir);
    Files.copy(pom, dir.resolve(artifact + "-" + version + ".pom"));
    if (jar != null) {
      Files.copy(jar, dir.resolve(artifact + "-" + version + ".jar"));
    }
  }

  Path project() {
    return project;
  }

  /** Runs {@code mvn} with these arguments, offline, through Maven's own launcher script. */
  Consumer.Run mvn(Map<String, String> env, String... args) throws IOException, InterruptedException {
    Path home = Path.of(property("unipool.test.mavenHome"));
    List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/mvn").toString(), "-o", "-B", "-ntp",
        "-Dmaven.repo.local=" + repository, "-Dmaven.repo.local.tail=" + property("unipool.test.localRepository"),
        "-Dstyle.color=never"));
    cmd.addAll(List.of(args));
    Map<String, String> all = new java.util.HashMap<>(Map.of(
        "JAVA_HOME", System.getProperty("java.home"),
        // Maven itself still calls sun.misc.Unsafe; that warning is Maven's, not the workers'.
        "MAVEN_OPTS", "--sun-misc-unsafe-memory-access=allow"));
    all.putAll(env);
    return Consumer.run(project, all, cmd);
  }

  static String property(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(name + " is not set: run these tests through Maven (the module's pom sets it)");
    }
    return value;
  }
}
