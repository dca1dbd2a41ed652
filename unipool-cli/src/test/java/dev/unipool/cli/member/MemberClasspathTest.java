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
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code unipool member --classpath}: a task whose class exists only in a jar compiled by the test (never
 * on the test class path, so the member can only find it through {@code --classpath}) runs on a member,
 * and stopping the command stops the member's JVM.
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

  @TempDir static Path dir;
  private static final String CLUSTER = "unipool-test-" + UUID.randomUUID();
  private static Path jar = Path.of("");
  private static RunningMember member;

  @BeforeAll
  static void compileTheTaskAndStartAMember() throws IOException {
    jar = compileToJar(dir);
    member = RunningMember.start("--cluster-name", CLUSTER, "--classpath", jar.toString());
  }

  @AfterAll
  static void stopTheMember() {
    if (member != null) {
      member.close();
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
