package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolStartException;
import java.io.File;
import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker command as {@link WorkerLaunch} plans it, without starting workers: flags fitted to the
 * worker's modules, explicit class path entries, and the refusal (with its fix) when a needed class would
 * be missing. {@code unipool-launch-tests} runs real applications in each launch mode.
 */
class WorkerLaunchTest {
  private static final Map<String, String> NO_ENV = Map.of();

  /** A class made by the test and defined by a loader that lists no jars, as a plugin host would. */
  @TempDir static Path plugin;
  private static Class<?> pluginClass;

  @BeforeAll
  static void definePluginClass() throws Exception {
    byte[] bytes = ClassFile.of().build(ClassDesc.of("plugin.Task"), c -> c.withFlags(ClassFile.ACC_PUBLIC)
        .withSuperclass(ConstantDescs.CD_Object));
    Path classes = plugin.resolve("classes");
    Files.createDirectories(classes.resolve("plugin"));
    Files.write(classes.resolve("plugin/Task.class"), bytes); // where it came from; never on the class path
    ProtectionDomain domain = new ProtectionDomain(new CodeSource(classes.toUri().toURL(),
        (java.security.cert.Certificate[]) null), null);
    ClassLoader loader = new ClassLoader(WorkerLaunchTest.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (!name.equals("plugin.Task")) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length, domain);
      }
    };
    pluginClass = loader.loadClass("plugin.Task");
  }

  private static Path pluginClasses() {
    return plugin.resolve("classes");
  }

  private static List<String> classPath(List<String> command) {
    int i = command.indexOf("-cp");
    assertTrue(i >= 0, () -> "no -cp in " + command);
    return List.of(command.get(i + 1).split(File.pathSeparator, -1));
  }

  @Test
  void callerFromAnUnlistedClassLoader_isRefusedBeforeAnyWorker_withTheFix() {
    PoolStartException e = assertThrows(PoolStartException.class, () -> WorkerLaunch.of(Backend.processes(1),
        NO_ENV::get, pluginClass, null, List.of()));
    String m = e.getMessage();
    assertTrue(m.contains("plugin.Task"), m);
    assertTrue(e.launchMode().startsWith("class loader dev.unipool.process.internal.WorkerLaunchTest$"), e.launchMode());
    assertTrue(m.contains("launch mode: " + e.launchMode()), m);
    assertTrue(m.contains("not a URLClassLoader"), "says why it could not see the class: " + m);
    assertTrue(m.contains("classpath(\"" + pluginClasses() + "\")"), m);
    assertTrue(m.contains(Backend.Processes.CLASSPATH_ENV + "=" + pluginClasses()), m);
  }

  @Test
  void taskFromAnUnlistedClassLoader_isRefusedAtSubmit_withTheFix() {
    // The pool opened from a class the workers can see; the task comes from a plugin's loader.
    WorkerLaunch launch = WorkerLaunch.of(Backend.processes(1), NO_ENV::get, WorkerLaunchTest.class, null, List.of());
    launch.checkTask(WorkerLaunchTest.class); // reachable: no exception
    launch.checkTask(String.class); // the JDK's own: always reachable
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> launch.checkTask(pluginClass));
    String m = e.getMessage();
    assertTrue(m.startsWith("this task cannot run in a worker process: the task's class plugin.Task"), m);
    assertTrue(m.contains("classpath(\"" + pluginClasses() + "\")"), m);
  }

  @Test
  void classpathSetting_fixesIt_andComesFirst() {
    WorkerLaunch launch = WorkerLaunch.of(Backend.processes(1).classpath(pluginClasses().toString()),
        Map.of(Backend.Processes.CLASSPATH_ENV, "/not/used")::get, pluginClass, null, List.of());
    List<String> cp = classPath(launch.command());
    assertEquals(pluginClasses().toString(), cp.getFirst());
    assertFalse(cp.contains("/not/used"), "the setting wins over the variable: " + cp);
    assertTrue(launch.mode().endsWith("with Backend.processes(n).classpath(...)"), launch.mode());
  }

  @Test
  void environmentVariable_fixesIt_withoutARebuild() {
    String value = pluginClasses() + File.pathSeparator + "/also/this.jar";
    WorkerLaunch launch = WorkerLaunch.of(Backend.processes(1),
        Map.of(Backend.Processes.CLASSPATH_ENV, value)::get, pluginClass, null, List.of());
    List<String> cp = classPath(launch.command());
    assertEquals(List.of(pluginClasses().toString(), "/also/this.jar"), cp.subList(0, 2));
  }

  @Test
  void unipoolsOwnClasses_areOnTheWorkersClassPath_andTheCommandEndsWithTheUsersFlags() {
    WorkerLaunch launch = WorkerLaunch.of(Backend.processes(1).jvmArgs("-Dmine=1", "-Xss2m"), NO_ENV::get,
        WorkerLaunchTest.class, null, List.of());
    List<String> cp = classPath(launch.command());
    assertTrue(cp.contains(String.valueOf(WorkerClasspath.location(WorkerMain.class))), cp::toString);
    assertTrue(cp.contains(String.valueOf(WorkerClasspath.location(Pool.class))), cp::toString);
    List<String> cmd = launch.command();
    assertEquals(List.of("-Dmine=1", "-Xss2m"), cmd.subList(cmd.size() - 2, cmd.size()),
        "ProcessPool inserts the worker's name before the user's flags");
    assertTrue(cmd.contains("--add-opens=java.base/java.lang.invoke=ALL-UNNAMED"), cmd::toString);
  }

  @Test
  void smallInitialHeap_isTheDefault_butNeverFightsTheUsersHeapSettings() {
    List<String> plain = WorkerLaunch.of(Backend.processes(1), NO_ENV::get, WorkerLaunchTest.class, null, List.of())
        .command();
    assertTrue(plain.contains(WorkerLaunch.SMALL_INITIAL_HEAP), plain::toString);
    assertTrue(WorkerLaunch.smallInitialHeapFits(Backend.processes(1).heap("512m")));
    assertTrue(WorkerLaunch.smallInitialHeapFits(Backend.processes(1).heap("64m")));
    assertFalse(WorkerLaunch.smallInitialHeapFits(Backend.processes(1).heap("32m")), "-Xms64m -Xmx32m would not start");
    assertFalse(WorkerLaunch.smallInitialHeapFits(Backend.processes(1).heap("65535k")));
    // A young generation of the user's own size could fill a 64 MB initial heap, leaving no old generation
    // for the startup cache's archived objects: the JDK then refuses to start at all.
    for (String own : List.of("-Xmx4m", "-Xms1g", "-XX:InitialHeapSize=64m", "-XX:MaxRAM=1g", "-Xmn300m",
        "-XX:NewSize=100m", "-XX:MaxNewSize=100m")) {
      List<String> cmd = WorkerLaunch.of(Backend.processes(1).jvmArgs(own), NO_ENV::get, WorkerLaunchTest.class,
          null, List.of()).command();
      assertFalse(cmd.contains(WorkerLaunch.SMALL_INITIAL_HEAP), () -> own + ": " + cmd);
    }
  }

  @Test
  void nativeHeapTrim_isTheDefaultOnLinux_unlessTheUserSetsIt() {
    List<String> plain = WorkerLaunch.of(Backend.processes(1), NO_ENV::get, WorkerLaunchTest.class, null, List.of())
        .command();
    boolean linux = System.getProperty("os.name", "").startsWith("Linux");
    assertEquals(linux, plain.contains(WorkerLaunch.NATIVE_TRIM), plain::toString);
    List<String> own = WorkerLaunch.of(Backend.processes(1).jvmArgs("-XX:TrimNativeHeapInterval=0"), NO_ENV::get,
        WorkerLaunchTest.class, null, List.of()).command();
    assertFalse(own.contains(WorkerLaunch.NATIVE_TRIM), own::toString);
    assertEquals("-XX:TrimNativeHeapInterval=0", own.getLast(), "the user's setting stays, last");
  }

  @Test
  void flagsNamingModulesTheWorkerLacks_becomeAllUnnamed_orAreDropped() {
    List<String> parent = List.of(
        "--add-opens=java.base/java.lang.invoke=org.apache.fory.core",
        "--add-exports=java.base/sun.nio.ch=app,java.sql",
        "--add-modules", "app,java.sql",
        "--add-reads=app=ALL-UNNAMED",
        "--add-opens=app/com.example=ALL-UNNAMED",
        "--enable-native-access=app",
        "-Dfile.encoding=UTF-8",
        "--sun-misc-unsafe-memory-access=allow",
        "-Xmx1g",
        "-Dsecret=x");
    Set<String> system = Set.of("java.base", "java.sql");
    assertEquals(List.of(
        "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED,java.sql",
        "--add-modules=java.sql",
        "--enable-native-access=ALL-UNNAMED",
        "-Dfile.encoding=UTF-8",
        "--sun-misc-unsafe-memory-access=allow"), JvmFlags.inherit(parent, system::contains));
  }

  @Test
  void flagsNamingModulesTheWorkerHas_areKept() {
    List<String> parent = List.of("--add-opens=java.base/java.lang.invoke=org.apache.fory.core", "--add-modules=app");
    assertEquals(parent, JvmFlags.inherit(parent, Set.of("java.base", "org.apache.fory.core", "app")::contains));
  }

  @Test
  void modulePathSetting_isPassed_withItsModulesAsRoots() throws IOException {
    Path core = WorkerClasspath.location(Pool.class); // unipool-core, a module (jar or exploded)
    assertNotNull(core);
    WorkerLaunch launch = WorkerLaunch.of(Backend.processes(1).modulePath(core.toString()), NO_ENV::get, null, null,
        List.of());
    List<String> cmd = launch.command();
    int mp = cmd.indexOf("--module-path");
    assertTrue(mp >= 0, cmd::toString);
    assertEquals(core.toString(), cmd.get(mp + 1));
    assertTrue(cmd.contains("--add-modules=dev.unipool.core"), cmd::toString);
  }

  /** A URL as Spring Boot's own handlers make it; this JVM has no handler for {@code nested:}. */
  private static URL bootUrl(String spec) throws IOException {
    return URL.of(URI.create(spec), new URLStreamHandler() {
      @Override
      protected URLConnection openConnection(URL u) {
        throw new UnsupportedOperationException();
      }
    });
  }

  @Test
  void springBootNestedUrls_areRead_bothGenerations() throws Exception {
    var boot32 = WorkerClasspath.nested(bootUrl("jar:nested:/srv/my%20app.jar/!BOOT-INF/lib/x.jar!/"));
    assertNotNull(boot32);
    assertEquals(Path.of("/srv/my app.jar"), boot32.outer());
    assertEquals("BOOT-INF/lib/x.jar", boot32.entry());
    var classes = WorkerClasspath.nested(bootUrl("jar:nested:/srv/app.jar/!BOOT-INF/classes/!/"));
    assertNotNull(classes);
    assertEquals("BOOT-INF/classes/", classes.entry());
    var classic = WorkerClasspath.nested(URI.create("jar:file:/srv/app.jar!/BOOT-INF/lib/x.jar!/").toURL());
    assertNotNull(classic);
    assertEquals(Path.of("/srv/app.jar"), classic.outer());
    assertEquals("BOOT-INF/lib/x.jar", classic.entry());
    assertNull(WorkerClasspath.nested(URI.create("jar:file:/srv/plain.jar!/").toURL()));
    assertEquals(Path.of("/srv/plain.jar"), WorkerClasspath.file(URI.create("jar:file:/srv/plain.jar!/").toURL()));
    assertNull(WorkerClasspath.nested(URI.create("file:/srv/classes/").toURL()));
  }
}
