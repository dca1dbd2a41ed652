package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The startup cache against the real JDK: a plain JVM started with the cache's flags records, the create
 * step makes the cache, later JVMs take it, and a refused one costs nothing but a deletion. No timings are
 * asserted; the waits are for files and exits, with generous limits.
 */
class StartupCacheTest {
  private static final Duration PATIENCE = Duration.ofMinutes(3);
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir Path tmp;
  private Path dir;
  private Path jar;
  private List<String> command;

  @BeforeEach
  void jarWithAMainClass() throws IOException {
    dir = tmp.resolve("cache");
    jar = tmp.resolve("probe.jar");
    String entry = CacheProbeMain.class.getName().replace('.', '/') + ".class";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        var in = CacheProbeMain.class.getClassLoader().getResourceAsStream(entry)) {
      assertNotNull(in, entry);
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
    }
    command = List.of(JAVA, "-cp", jar.toString(), "-XX:+UseSerialGC", "-XX:-UsePerfData");
  }

  /** Runs the probe JVM with the cache's flags, tells the cache, and returns its stdout and stderr. */
  private String[] run(StartupCache cache, List<String> extra) throws Exception {
    List<String> flags = cache.flagsForNextWorker();
    List<String> cmd = new ArrayList<>(command);
    cmd.addAll(flags);
    cmd.addAll(extra);
    cmd.add(CacheProbeMain.class.getName());
    Process p = new ProcessBuilder(cmd).start();
    cache.started(p, flags);
    try (OutputStream in = p.getOutputStream()) {
      // nothing to say
    }
    var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return e.toString();
      }
    });
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the probe JVM exits");
    assertEquals(0, p.exitValue(), () -> "exit code; stdout: " + out + " stderr: " + err.join());
    return new String[] {out, err.join()};
  }

  /** The probe JVM's exit code and its stdout and stderr, merged. */
  private record Probe(int exitCode, String output) {}

  /** Runs the probe JVM with {@code cache}'s flags, tells the cache, and waits for its exit, whatever it is. */
  private Probe probe(StartupCache cache) throws Exception {
    List<String> flags = cache.flagsForNextWorker();
    List<String> cmd = new ArrayList<>(command);
    cmd.addAll(flags);
    cmd.add(CacheProbeMain.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    cache.started(p, flags);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the probe JVM exits");
    return new Probe(p.exitValue(), out);
  }

  private static void awaitFile(Path file, boolean present) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (Files.exists(file) != present && System.nanoTime() < deadline) {
      Thread.sleep(50); // polling a file that another process writes; the deadline is the limit, not this
    }
    assertEquals(present, Files.exists(file), file + (present ? " appears" : " goes away"));
  }

  @Test
  void firstJvmRecords_theCacheIsCreatedInTheBackground_andLaterJvmsUseIt() throws Exception {
    StartupCache first = StartupCache.plan(true, command, List.of(), dir);
    assertEquals(StartupCache.Mode.RECORD, first.mode(), first::toString);
    Path file = first.file();
    assertNotNull(file);
    String[] recorded = run(first, List.of());
    assertEquals("hello 1", recorded[0].strip(), "the recorder prints nothing of its own");
    assertEquals("", recorded[1]);
    assertTrue(first.flagsForNextWorker().isEmpty(), "only one worker records");

    awaitFile(file, true);
    awaitFile(StartupCache.lockOf(file), false);
    assertFalse(Files.exists(StartupCache.configuration(file)), "the configuration is removed once used");

    StartupCache later = StartupCache.plan(true, command, List.of(), dir);
    assertEquals(StartupCache.Mode.USE, later.mode(), later::toString);
    assertEquals(file, later.file());
    assertTrue(later.flagsForNextWorker().contains("-XX:AOTCache=" + file));
    // AOTMode=on makes the JDK fail instead of going on without the cache: exit 0 proves it took it.
    String[] used = run(later, List.of("-XX:AOTMode=on"));
    assertEquals("hello 1", used[0].strip());
    assertEquals("", used[1]);
  }

  @Test
  void aCacheTheJdkRefuses_isIgnoredQuietly_andDeleted() throws Exception {
    StartupCache claim = StartupCache.plan(true, command, List.of(), dir);
    Path file = claim.file();
    assertNotNull(file);
    Files.delete(StartupCache.lockOf(file));
    Files.writeString(file, "not an AOT cache");

    StartupCache refused = StartupCache.plan(true, command, List.of(), dir);
    assertEquals(StartupCache.Mode.USE, refused.mode());
    Probe p = probe(refused);
    assertEquals(0, p.exitCode(), p.output());
    assertEquals("hello 1", p.output().strip(), "no word about the broken cache");
  }

  /**
   * A young generation as large as the initial heap leaves no room for the cache's archived objects: the
   * JDK then ends the JVM instead of going on without the cache.
   */
  private static final List<String> NO_ROOM_FOR_ARCHIVED_OBJECTS = List.of("-Xms64m", "-Xmn300m");

  @Test
  void aCacheTheJdkRefusesFatally_isDroppedForThePool_andMarkedFailed() throws Exception {
    List<String> cmd = new ArrayList<>(command);
    cmd.addAll(NO_ROOM_FOR_ARCHIVED_OBJECTS);
    command = List.copyOf(cmd);
    StartupCache first = StartupCache.plan(true, command, List.of(), dir);
    assertEquals(StartupCache.Mode.RECORD, first.mode(), first::toString);
    Path file = first.file();
    assertNotNull(file);
    run(first, List.of()); // recording works with these flags
    awaitFile(file, true);

    StartupCache later = StartupCache.plan(true, command, List.of(), dir);
    assertEquals(StartupCache.Mode.USE, later.mode(), later::toString);
    Probe p = probe(later);
    String out = p.output();
    assertNotEquals(0, p.exitCode(), () -> "the JDK took the cache after all: " + out);
    assertTrue(out.contains("AOT cache"), out);

    assertTrue(later.startFailed(out), "the worker is to be started again without the cache");
    assertTrue(later.flagsForNextWorker().isEmpty(), "the pool's next workers start without it");
    assertTrue(later.startFailed(out), "so is a second worker that had the flags");
    assertFalse(Files.exists(file), "the refused cache is deleted");
    StartupCache next = StartupCache.plan(true, command, List.of(), dir);
    assertEquals(StartupCache.Mode.OFF, next.mode(), "a later pool neither uses nor records it: " + next);
    assertTrue(next.toString().contains(".failed"), next::toString);
  }

  @Test
  void aWorkerDyingOfItsOwnFlags_dropsTheCacheForThePool_butKeepsIt() throws Exception {
    StartupCache first = StartupCache.plan(true, command, List.of(), dir);
    Path file = first.file();
    assertNotNull(file);
    run(first, List.of());
    awaitFile(file, true);
    StartupCache later = StartupCache.plan(true, command, List.of(), dir);
    assertEquals(StartupCache.Mode.USE, later.mode(), later::toString);
    assertTrue(later.startFailed("Error: Could not find or load main class Missing"));
    assertTrue(later.flagsForNextWorker().isEmpty());
    assertTrue(Files.exists(file), "a cache the output does not blame stays for other pools");
    assertEquals(StartupCache.Mode.USE, StartupCache.plan(true, command, List.of(), dir).mode());
  }

  @Test
  void refusalCheck_deletesACacheTheWorkerDidNotMap() throws Exception {
    StartupCache claim = StartupCache.plan(true, command, List.of(), dir);
    Path file = claim.file();
    assertNotNull(file);
    Files.delete(StartupCache.lockOf(file));
    Files.writeString(file, "not an AOT cache");
    StartupCache refused = StartupCache.plan(true, command, List.of(), dir);
    List<String> flags = refused.flagsForNextWorker();
    // A JVM that stays alive until its stdin closes, as a worker does, so that the check finds it running.
    List<String> cmd = new ArrayList<>(List.of(JAVA, "-cp", jar.toString()));
    cmd.addAll(flags);
    cmd.add(WaitForStdinMain.class.getName());
    Path waitJar = tmp.resolve("wait.jar");
    String entry = WaitForStdinMain.class.getName().replace('.', '/') + ".class";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(waitJar));
        var in = WaitForStdinMain.class.getClassLoader().getResourceAsStream(entry)) {
      assertNotNull(in, entry);
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
    }
    cmd.set(2, jar + java.io.File.pathSeparator + waitJar);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      refused.started(p, flags);
      awaitFile(file, false);
    } finally {
      p.getOutputStream().close();
      assertTrue(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
    }
  }

  @Test
  void turnedOff_byTheBackendSetting_orTheSystemProperty() {
    StartupCache byConfig = StartupCache.plan(false, command, List.of(), dir);
    assertEquals(StartupCache.Mode.OFF, byConfig.mode());
    assertTrue(byConfig.flagsForNextWorker().isEmpty());
    String before = System.setProperty(Backend.Processes.STARTUP_CACHE_PROPERTY, "false");
    try {
      StartupCache byProperty = StartupCache.plan(true, command, List.of(), dir);
      assertEquals(StartupCache.Mode.OFF, byProperty.mode(), byProperty::toString);
    } finally {
      if (before == null) {
        System.clearProperty(Backend.Processes.STARTUP_CACHE_PROPERTY);
      } else {
        System.setProperty(Backend.Processes.STARTUP_CACHE_PROPERTY, before);
      }
    }
    assertFalse(Files.exists(dir), "nothing is written when off");
    assertEquals(true, Backend.processes(2).startupCache(), "on by default");
    assertEquals(false, Backend.processes(2).startupCache(false).startupCache());
  }

  @Test
  void notUsed_whereTheJdkCannotTakeACache() throws IOException {
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    List<List<String>> commands = List.of(
        List.of(JAVA, "-cp", jar + java.io.File.pathSeparator + classes),
        List.of(JAVA, "-cp", jar.toString(), "-XX:AOTCache=" + tmp.resolve("mine.aot")),
        List.of(JAVA, "-cp", jar.toString(), "-Xshare:off"),
        List.of(JAVA, "--module-path", jar.toString(), "-cp", jar.toString()));
    for (List<String> cmd : commands) {
      StartupCache c = StartupCache.plan(true, cmd, List.of(), dir);
      assertEquals(StartupCache.Mode.OFF, c.mode(), () -> cmd + ": " + c);
    }
  }

  @Test
  void ofTwoJvmsRacing_oneRecords_untilItsLockIsStale() throws IOException {
    StartupCache first = StartupCache.plan(true, command, List.of(), dir);
    StartupCache second = StartupCache.plan(true, command, List.of(), dir);
    assertEquals(StartupCache.Mode.RECORD, first.mode());
    assertEquals(StartupCache.Mode.OFF, second.mode(), second::toString);
    Path file = first.file();
    assertNotNull(file);
    Files.setLastModifiedTime(StartupCache.lockOf(file),
        FileTime.from(Instant.now().minus(StartupCache.STALE_LOCK).minusSeconds(60)));
    assertEquals(StartupCache.Mode.RECORD, StartupCache.plan(true, command, List.of(), dir).mode(),
        "a recorder that never finished does not block the cache forever");
  }

  @Test
  void eviction_keepsTheMostRecentlyUsedCaches() throws IOException {
    Files.createDirectories(dir);
    Instant now = Instant.now();
    for (int i = 0; i < 5; i++) {
      Path c = Files.writeString(dir.resolve("k" + i + ".aot"), "x");
      Files.setLastModifiedTime(c, FileTime.from(now.minusSeconds(100L * i))); // k0 newest
    }
    Files.writeString(dir.resolve("other.lock"), "1");
    StartupCache.evict(dir, 3);
    for (int i = 0; i < 5; i++) {
      assertEquals(i < 3, Files.exists(dir.resolve("k" + i + ".aot")), "k" + i);
    }
    assertTrue(Files.exists(dir.resolve("other.lock")), "only caches are evicted");
  }

  @Test
  void key_changesWithTheJarsAndTheFlags() throws IOException {
    String key = StartupCache.key(command, List.of(jar.toString()));
    assertEquals(key, StartupCache.key(command, List.of(jar.toString())));
    List<String> other = new ArrayList<>(command);
    other.add("-Xss512k");
    assertNotEquals(key, StartupCache.key(other, List.of(jar.toString())));
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
    assertNotEquals(key, StartupCache.key(command, List.of(jar.toString())), "a rebuilt jar");
  }
}
