package dev.unipool.cli.member;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jspecify.annotations.Nullable;

/**
 * {@code unipool member --classpath}: a task whose class exists only in a jar compiled by the test (never
 * on the test class path, so the member can only find it through {@code --classpath}) runs on a member,
 * also when the jar is a Spring Boot executable jar (its classes and nested jars in {@code BOOT-INF/}), and
 * stopping the command stops the member's JVM.
 */
class MemberClasspathTest {
  private static final String TASK = "userjar.Greeter";
  private static final String SOURCE = """
      package userjar;

      public final class Greeter implements java.util.concurrent.Callable<String>, java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final String who;

        public Greeter(String who) {
          this.who = who;
        }

        @Override
        public String call() {
          return "hello " + who + " from " + getClass().getName() + " in pid " + ProcessHandle.current().pid();
        }
      }
      """;

  private static final String BOOT_TASK = "bootjar.Greeter";
  /** A task in a Spring Boot jar's BOOT-INF/classes that needs a class from one of its BOOT-INF/lib jars. */
  private static final String BOOT_SOURCE = """
      package bootjar;

      public final class Greeter implements java.util.concurrent.Callable<String>, java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String call() {
          return bootlib.Shout.shout("hello from a boot jar") + " in pid " + ProcessHandle.current().pid();
        }
      }
      """;
  private static final String BOOT_LIB_SOURCE = """
      package bootlib;

      public final class Shout {
        public static String shout(String s) {
          return s.toUpperCase(java.util.Locale.ROOT);
        }
      }
      """;

  @TempDir static Path dir;
  private static final String CLUSTER = "unipool-test-" + UUID.randomUUID();
  private static Path jar = Path.of("");
  private static Path bootClasses = Path.of("");
  private static RunningMember member;
  private static @Nullable String cacheBefore;

  @BeforeAll
  static void compileTheTaskAndStartAMember() throws IOException {
    jar = compileToJar(dir);
    bootClasses = compile(dir.resolve("boot"), Map.of("bootjar/Greeter.java", BOOT_SOURCE, "bootlib/Shout.java", BOOT_LIB_SOURCE));
    Path bootJar = bootJar(bootClasses, dir.resolve("app-boot.jar"));
    cacheBefore = System.setProperty("unipool.cache.dir", dir.resolve("cache").toString()); // the command unpacks here
    member = RunningMember.start("--cluster-name", CLUSTER, "--classpath", jar + java.io.File.pathSeparator + bootJar);
  }

  @AfterAll
  static void stopTheMember() {
    if (member != null) {
      member.close();
    }
    if (cacheBefore == null) {
      System.clearProperty("unipool.cache.dir");
    } else {
      System.setProperty("unipool.cache.dir", cacheBefore);
    }
  }

  @Test
  void taskClassOnlyInAUserJar_runsOnTheMember() throws Exception {
    assertThrows(ClassNotFoundException.class, () -> Class.forName(TASK), "the task must not be on the test class path");
    Backend.Cluster backend = new Backend.Cluster(List.of(member.address()), CLUSTER, Duration.ofSeconds(30), 0);
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader());
        Pool pool = Pool.of(backend)) {
      Callable<String> task = newTask(loader);
      TaskFuture<String> f = pool.submit(task);
      String greeting = f.get(60, TimeUnit.SECONDS);
      long memberPid = f.worker().orElseThrow().pid();
      assertNotEquals(ProcessHandle.current().pid(), memberPid, "ran on the member, not here");
      assertEquals("hello unipool from " + TASK + " in pid " + memberPid, greeting);
      assertTrue(member.output().contains(" is up "), member::output);
    }
  }

  @Test
  void taskClassInASpringBootJar_runsOnTheMember() throws Exception {
    assertThrows(ClassNotFoundException.class, () -> Class.forName(BOOT_TASK), "the task must not be on the test class path");
    Backend.Cluster backend = new Backend.Cluster(List.of(member.address()), CLUSTER, Duration.ofSeconds(30), 0);
    try (URLClassLoader loader = new URLClassLoader(new URL[] {bootClasses.toUri().toURL()}, getClass().getClassLoader());
        Pool pool = Pool.of(backend)) {
      @SuppressWarnings("unchecked")
      Callable<String> task = (Callable<String>) loader.loadClass(BOOT_TASK).getConstructor().newInstance();
      TaskFuture<String> f = pool.submit(task);
      String greeting = f.get(60, TimeUnit.SECONDS);
      assertEquals("HELLO FROM A BOOT JAR in pid " + f.worker().orElseThrow().pid(), greeting);
    }
  }

  @Test
  void stoppingTheCommand_stopsTheMemberJvm() throws Exception {
    // A cluster of its own: joined to the other member, the task could run there and report that pid.
    String solo = CLUSTER + "-solo";
    RunningMember second = RunningMember.start("--cluster-name", solo);
    long pid;
    try (Pool pool = Pool.of(new Backend.Cluster(List.of(second.address()), solo, Duration.ofSeconds(30), 0))) {
      pid = pool.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
    }
    second.close(); // interrupts the command, which must stop the JVM before it returns
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "member JVM " + pid + " still runs");
  }

  @SuppressWarnings("unchecked")
  private static Callable<String> newTask(ClassLoader loader) throws ReflectiveOperationException {
    return (Callable<String>) loader.loadClass(TASK).getConstructor(String.class).newInstance("unipool");
  }

  private static Path compile(Path dir, Map<String, String> sources) throws IOException {
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes);
    List<String> args = new java.util.ArrayList<>(List.of("-d", classes.toString()));
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path src = dir.resolve("src").resolve(e.getKey());
      Files.createDirectories(src.getParent());
      Files.writeString(src, e.getValue(), StandardCharsets.UTF_8);
      args.add(src.toString());
    }
    assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)), "javac failed");
    return classes;
  }

  /** A jar laid out as spring-boot-maven-plugin's repackage lays one out (the launcher classes aside). */
  private static Path bootJar(Path classes, Path jar) throws IOException {
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.put(Attributes.Name.MAIN_CLASS, "org.springframework.boot.loader.launch.JarLauncher");
    main.putValue("Start-Class", BOOT_TASK);
    main.putValue("Spring-Boot-Classes", "BOOT-INF/classes/");
    main.putValue("Spring-Boot-Lib", "BOOT-INF/lib/");
    java.io.ByteArrayOutputStream lib = new java.io.ByteArrayOutputStream();
    try (JarOutputStream out = new JarOutputStream(lib)) {
      out.putNextEntry(new JarEntry("bootlib/Shout.class"));
      out.write(Files.readAllBytes(classes.resolve("bootlib/Shout.class")));
      out.closeEntry();
    }
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
      out.putNextEntry(new JarEntry("BOOT-INF/classes/bootjar/Greeter.class"));
      out.write(Files.readAllBytes(classes.resolve("bootjar/Greeter.class")));
      out.closeEntry();
      out.putNextEntry(new JarEntry("BOOT-INF/lib/shout.jar"));
      out.write(lib.toByteArray());
      out.closeEntry();
    }
    return jar;
  }

  private static Path compileToJar(Path dir) throws IOException {
    Path src = dir.resolve("src/userjar/Greeter.java");
    Path classes = dir.resolve("classes");
    Files.createDirectories(src.getParent());
    Files.createDirectories(classes);
    Files.writeString(src, SOURCE, StandardCharsets.UTF_8);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, "-d", classes.toString(), src.toString());
    assertEquals(0, rc, "javac failed");
    Path jar = dir.resolve("user-tasks.jar");
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry("userjar/Greeter.class"));
      out.write(Files.readAllBytes(classes.resolve("userjar/Greeter.class")));
      out.closeEntry();
    }
    return jar;
  }
}
