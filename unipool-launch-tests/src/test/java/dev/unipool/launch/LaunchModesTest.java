package dev.unipool.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.loader.tools.Library;
import org.springframework.boot.loader.tools.LibraryScope;
import org.springframework.boot.loader.tools.LoaderImplementation;
import org.springframework.boot.loader.tools.Repackager;

/**
 * A consumer application ({@link Consumer}) started the way each launch mode really starts it must run its
 * tasks on worker processes with PIDs of their own, and no worker may print a warning.
 *
 * <p>The application's own JVM gets the flags the README tells users to add for Fory, as a user following it
 * would; the workers' flags are unipool's business.
 */
class LaunchModesTest {
  /** What the README tells users to add to their own JVM on the class path (Fory in the unnamed module). */
  private static final String OPENS = "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED";

  /** The manifest entries the README gives for jars run with {@code java -jar}. */
  private static final Map<String, String> README_MANIFEST =
      Map.of("Multi-Release", "true", "Add-Opens", "java.base/java.lang.invoke");

  @TempDir static Path shared;
  private static Path classes;
  private static List<Path> libraries;

  @BeforeAll
  static void compileTheConsumer() throws IOException {
    libraries = Consumer.libraryJars(shared);
    classes = Consumer.compile(shared.resolve("app"), "com.example", libraries, Map.of());
  }

  @Test
  void classPath_javaCp() throws Exception {
    List<Path> cp = new ArrayList<>(List.of(classes));
    cp.addAll(libraries);
    Consumer.Run run = Consumer.run(shared, Map.of(),
        List.of(Consumer.java(), OPENS, "-cp", Consumer.join(cp), "com.example.App"));
    String worker = run.assertRanOnWorkers();
    run.assertNoWarningsAtAll(); // with the README's flag, the application's JVM is quiet too
    assertTrue(worker.contains(classes.toString()), worker);
  }

  /**
   * As shaded by default (no {@code Multi-Release}, so Fory falls back to {@code sun.misc.Unsafe} and the
   * application's own JVM warns; the workers must not), and with the manifest entries the README gives,
   * after which nothing warns at all, without any flag on the command line.
   */
  @ParameterizedTest(name = "with the README's manifest entries: {0}")
  @ValueSource(booleans = {false, true})
  void shadedJar_javaJar(boolean readmeManifest, @TempDir Path dir) throws Exception {
    Map<String, String> manifest = readmeManifest ? README_MANIFEST : Map.of();
    Path jar = Consumer.shade(classes, libraries, dir.resolve("app-shaded.jar"), "com.example.App", manifest);
    Consumer.Run run = Consumer.run(dir, Map.of(), List.of(Consumer.java(), "-jar", jar.toString()));
    String worker = run.assertRanOnWorkers();
    assertTrue(worker.contains("app-shaded.jar"), worker);
    if (readmeManifest) {
      run.assertNoWarningsAtAll();
    }
  }

  /** Both loaders spring-boot-maven-plugin can write: Boot 3.2+'s {@code jar:nested:} one and the classic one. */
  @ParameterizedTest
  @EnumSource(LoaderImplementation.class)
  void springBootJar_javaJar(LoaderImplementation loader, @TempDir Path dir) throws Exception {
    // The manifest entry the README gives, which repackaging keeps: no flag needed on the command line.
    Path jar = Consumer.jarDirectory(classes, dir.resolve("app.jar"), "com.example.App",
        Map.of("Add-Opens", "java.base/java.lang.invoke"));
    Repackager repackager = new Repackager(jar.toFile());
    repackager.setMainClass("com.example.App");
    repackager.setLoaderImplementation(loader);
    repackager.setIncludeRelevantJarModeJars(false);
    repackager.setBackupSource(false);
    repackager.repackage(callback -> {
      for (Path lib : libraries) {
        callback.library(new Library(lib.toFile(), LibraryScope.COMPILE));
      }
    });
    Path cache = dir.resolve("cache");
    Consumer.Run run = Consumer.run(dir, Map.of("XDG_CACHE_HOME", cache.toString()),
        List.of(Consumer.java(), "-jar", jar.toString()));
    String worker = run.assertRanOnWorkers();
    run.assertNoWarningsAtAll();
    assertTrue(worker.contains(cache.resolve("unipool/unpacked").toString()) && worker.contains("BOOT-INF/lib/"),
        "workers run the jar's nested jars, unpacked into the cache: " + worker);
  }

  @Test
  void modulePath_javaM(@TempDir Path dir) throws Exception {
    Path modules = Consumer.compile(dir, "com.example", libraries,
        Map.of("module-info.java", "module app {\n  requires dev.unipool.core;\n}\n"));
    Path mods = dir.resolve("mods");
    Files.createDirectories(mods);
    Path app = Consumer.jarDirectory(modules, mods.resolve("app.jar"), "com.example.App");
    for (Path lib : libraries) {
      Files.copy(lib, mods.resolve(lib.getFileName()));
    }
    // On the module path Fory is the named module org.apache.fory.core: the README's flag for this mode.
    Consumer.Run run = Consumer.run(dir, Map.of(), List.of(Consumer.java(),
        "--add-opens=java.base/java.lang.invoke=org.apache.fory.core", "--module-path", mods.toString(),
        "-m", "app/com.example.App"));
    String worker = run.assertRanOnWorkers();
    run.assertNoWarningsAtAll();
    assertTrue(worker.contains("task class in module app"), "tasks run in the same named module: " + worker);
    assertTrue(worker.contains("module path " + mods), worker);
    assertTrue(app.toFile().isFile());
  }

  @Test
  void mavenExecJava(@TempDir Path dir) throws Exception {
    MavenConsumer maven = MavenConsumer.create(dir, List.of());
    copyTree(classes, dir.resolve("target/classes"));
    // MAVEN_OPTS as the README says for exec:java: the application runs in Maven's own JVM.
    Consumer.Run run = maven.mvn(Map.of("MAVEN_OPTS", "--sun-misc-unsafe-memory-access=allow " + OPENS),
        "org.codehaus.mojo:exec-maven-plugin:" + MavenConsumer.property("unipool.test.execPluginVersion") + ":java",
        "-Dexec.mainClass=com.example.App");
    String worker = run.assertRanOnWorkers();
    run.assertNoWarningsAtAll();
    assertTrue(worker.contains(dir.resolve("target/classes").toString()), worker);
  }

  @Test
  void mavenSurefire_consumerTests(@TempDir Path dir) throws Exception {
    String junit = MavenConsumer.property("unipool.test.junitVersion");
    MavenConsumer maven = MavenConsumer.create(dir, List.of("<dependency><groupId>org.junit.jupiter</groupId>"
        + "<artifactId>junit-jupiter</artifactId><version>" + junit + "</version><scope>test</scope></dependency>"));
    copyTree(classes, dir.resolve("target/classes"));
    List<Path> testCp = new ArrayList<>(List.of(classes, Consumer.jarOf("org.junit.jupiter.api.Test")));
    testCp.addAll(libraries);
    Path testClasses = Consumer.compile(dir.resolve("tests"), null, testCp, Map.of(
        "com/example/AppTest.java", """
            package com.example;

            import static org.junit.jupiter.api.Assertions.assertTrue;

            import org.junit.jupiter.api.Test;

            class AppTest {
              @Test
              void tasksRunOnWorkers() throws Exception {
                String result = App.run();
                System.out.println(result);
                assertTrue(result.startsWith("UNIPOOL-OK"), result);
              }
            }
            """));
    copyTree(testClasses, dir.resolve("target/test-classes"));
    // Surefire's defaults: one forked JVM, a manifest-only jar as its class path, and no argLine.
    Consumer.Run run = maven.mvn(Map.of(),
        "org.apache.maven.plugins:maven-surefire-plugin:" + MavenConsumer.property("unipool.test.surefireVersion") + ":test");
    run.assertRanOnWorkers();
    assertTrue(run.output().contains("Tests run: 1, Failures: 0, Errors: 0"), run::toString);
  }

  /**
   * A plugin host: the tasks' classes come from a class loader that lists no jars. The pool must refuse to
   * start, before any worker, with a message naming the mode and the one-line fix; the fix must work.
   */
  @Test
  void unlistedClassLoader_failsWithTheFix_andTheFixWorks(@TempDir Path dir) throws Exception {
    Path plugin = Consumer.compile(dir.resolve("plugin"), "com.example.plugin", libraries, Map.of());
    Path host = Consumer.compile(dir.resolve("host"), null, List.of(), Map.of(
        "com/example/host/Host.java", """
            package com.example.host;

            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.security.CodeSource;
            import java.security.ProtectionDomain;

            /** Loads a plugin's classes itself, as plugin systems do, and runs its App. */
            public class Host {
              public static void main(String[] args) throws Exception {
                Path dir = Path.of(args[0]);
                ProtectionDomain domain = new ProtectionDomain(new CodeSource(dir.toUri().toURL(),
                    (java.security.cert.Certificate[]) null), null);
                ClassLoader plugins = new ClassLoader(Host.class.getClassLoader()) {
                  @Override
                  protected Class<?> findClass(String name) throws ClassNotFoundException {
                    try {
                      byte[] b = Files.readAllBytes(dir.resolve(name.replace('.', '/') + ".class"));
                      return defineClass(name, b, 0, b.length, domain);
                    } catch (java.io.IOException e) {
                      throw new ClassNotFoundException(name, e);
                    }
                  }
                };
                try {
                  System.out.println(plugins.loadClass("com.example.plugin.App").getMethod("run").invoke(null));
                } catch (java.lang.reflect.InvocationTargetException e) {
                  System.out.println("FAILED " + e.getCause());
                  System.exit(3);
                }
              }
            }
            """));
    List<Path> cp = new ArrayList<>(List.of(host));
    cp.addAll(libraries);
    List<String> command = List.of(Consumer.java(), OPENS, "-cp", Consumer.join(cp), "com.example.host.Host",
        plugin.toString());

    Consumer.Run refused = Consumer.run(dir, Map.of(), command);
    assertEquals(3, refused.exitCode(), refused::toString);
    assertTrue(refused.output().contains("FAILED dev.unipool.PoolStartException"), refused::toString);
    assertTrue(refused.output().contains("launch mode: class loader com.example.host.Host$1"), refused::toString);
    String fix = "UNIPOOL_WORKER_CLASSPATH=" + plugin;
    assertTrue(refused.output().contains(fix), "the message gives the fix: " + refused);
    assertTrue(refused.output().contains("classpath(\"" + plugin + "\")"), refused::toString);
    assertTrue(!refused.output().contains("[worker-"), "no worker started: " + refused);

    Consumer.Run fixed = Consumer.run(dir, Map.of(Consumer.WORKER_CLASSPATH_ENV, plugin.toString()), command);
    String worker = fixed.assertRanOnWorkers();
    assertNotEquals(-1, worker.indexOf(plugin.toString()), worker);
  }

  /**
   * Worker flags with which the JDK records a startup cache but then refuses it fatally ("Unable to use
   * AOT cache": a young generation filling the initial heap leaves no room for the cache's archived
   * objects). The pool that finds the cache must start its workers again without it and run; later pools
   * must not try it again.
   */
  @Test
  void startupCacheTheJdkRefusesFatally_poolsStillRun(@TempDir Path dir) throws Exception {
    Path classes = Consumer.compile(dir.resolve("cache"), null, libraries, Map.of(
        "com/example/cache/Twice.java", """
            package com.example.cache;

            import dev.unipool.Backend;
            import dev.unipool.Pool;
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.util.concurrent.TimeUnit;

            /** Opens a pool whose first worker records the cache, waits for it, then pools that find it. */
            public class Twice {
              public static void main(String[] args) throws Exception {
                Path cacheDir = Path.of(System.getProperty("unipool.startupCache.dir"));
                Backend.Processes b = Backend.processes(2).jvmArgs("-Xms64m", "-Xmn300m");
                try (Pool pool = Pool.of(b)) {
                  // The recording worker starts slowest; on busy cores the other one may answer first,
                  // and a recorder stopped before it is ready is killed and records nothing (by design).
                  pool.awaitReady(java.time.Duration.ofMinutes(2));
                  System.out.println("first " + pool.submit(() -> 6 * 7).get(120, TimeUnit.SECONDS));
                }
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (!hasCache(cacheDir) && System.nanoTime() < deadline) {
                  Thread.sleep(50); // polling for a file the JDK's create step writes; the deadline bounds it
                }
                System.out.println("cache recorded " + hasCache(cacheDir));
                if (!hasCache(cacheDir)) { // what the recording left behind, for the failure message
                  try (var files = Files.list(cacheDir)) {
                    files.forEach(f -> System.out.println("  in the cache directory: " + f.getFileName()));
                  }
                }
                for (int i = 0; i < 2; i++) {
                  try (Pool pool = Pool.of(b)) {
                    System.out.println("later " + pool.submit(() -> 6 * 7).get(120, TimeUnit.SECONDS));
                  }
                }
                try (var files = Files.list(cacheDir)) {
                  System.out.println("marked " + files.anyMatch(f -> f.toString().endsWith(".failed")));
                }
              }

              private static boolean hasCache(Path dir) throws java.io.IOException {
                try (var files = Files.list(dir)) {
                  return files.anyMatch(f -> f.toString().endsWith(".aot"));
                }
              }
            }
            """));
    Path jar = Consumer.jarDirectory(classes, dir.resolve("cache.jar"), null);
    List<Path> cp = new ArrayList<>(List.of(jar));
    cp.addAll(libraries);
    Path cacheDir = Files.createDirectories(dir.resolve("startup-cache"));
    Consumer.Run run = Consumer.run(dir, Map.of(), List.of(Consumer.java(), OPENS,
        "-Dunipool.startupCache.dir=" + cacheDir, "-cp", Consumer.join(cp), "com.example.cache.Twice"));
    assertEquals(0, run.exitCode(), run::toString);
    assertTrue(run.output().contains("first 42"), run::toString);
    assertTrue(run.output().contains("cache recorded true"), run::toString);
    assertEquals(2, run.output().split("later 42", -1).length - 1, run::toString);
    assertTrue(run.output().contains("marked true"), run::toString);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(p, target);
        }
      }
    }
  }
}
