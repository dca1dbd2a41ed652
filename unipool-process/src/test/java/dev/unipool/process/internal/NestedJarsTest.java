package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpacking jars in jars into the per-user cache: once, whole, owner-only, and never outside it. */
class NestedJarsTest {
  @TempDir Path dir;
  private String cacheBefore;

  @BeforeEach
  void privateCache() {
    cacheBefore = System.setProperty(NestedJars.CACHE_PROPERTY, dir.resolve("cache").toString());
  }

  @AfterEach
  void restoreCache() {
    if (cacheBefore == null) {
      System.clearProperty(NestedJars.CACHE_PROPERTY);
    } else {
      System.setProperty(NestedJars.CACHE_PROPERTY, cacheBefore);
    }
  }

  private static Path jar(Path file, Manifest manifest, Map<String, byte[]> entries) throws IOException {
    try (OutputStream out = Files.newOutputStream(file);
        JarOutputStream jar = manifest == null ? new JarOutputStream(out) : new JarOutputStream(out, manifest)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        jar.putNextEntry(new JarEntry(e.getKey()));
        jar.write(e.getValue());
        jar.closeEntry();
      }
    }
    return file;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Path bootJar(String name, boolean index) throws IOException {
    Manifest m = new Manifest();
    Attributes a = m.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.putValue("Spring-Boot-Classes", "BOOT-INF/classes/");
    a.putValue("Spring-Boot-Lib", "BOOT-INF/lib/");
    Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
    entries.put("BOOT-INF/classes/app/App.class", bytes("app"));
    entries.put("BOOT-INF/lib/a.jar", bytes("a"));
    entries.put("BOOT-INF/lib/b.jar", bytes("b"));
    if (index) {
      a.putValue("Spring-Boot-Classpath-Index", "BOOT-INF/classpath.idx");
      entries.put("BOOT-INF/classpath.idx", bytes("- \"BOOT-INF/lib/b.jar\"\n- \"BOOT-INF/lib/a.jar\"\n"));
    }
    return jar(dir.resolve(name), m, entries);
  }

  @Test
  void springBootJar_isItsClassesThenItsJars_inTheIndexOrder() throws IOException {
    List<Path> cp = NestedJars.classPath(bootJar("app.jar", true));
    Path root = cp.getFirst().getParent().getParent();
    assertEquals(List.of(root.resolve("BOOT-INF/classes"), root.resolve("BOOT-INF/lib/b.jar"),
        root.resolve("BOOT-INF/lib/a.jar")), cp);
    assertEquals("a", Files.readString(root.resolve("BOOT-INF/lib/a.jar")));
    assertTrue(root.startsWith(dir.resolve("cache/unpacked")), root::toString);
    assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE),
        Files.getPosixFilePermissions(root.getParent()), "the cache is the user's alone");
  }

  @Test
  void springBootJarWithoutIndex_isInEntryOrder() throws IOException {
    List<Path> cp = NestedJars.classPath(bootJar("app.jar", false));
    assertEquals(List.of("classes", "a.jar", "b.jar"), cp.stream().map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void plainJar_isItself() throws IOException {
    Path plain = jar(dir.resolve("plain.jar"), null, Map.of("x/X.class", bytes("x")));
    assertEquals(List.of(plain), NestedJars.classPath(plain));
  }

  @Test
  void sameJarUnpackedAtOnce_asByManyJvms_endsInOneWholeDirectory() throws Exception {
    Path jar = bootJar("app.jar", true).toRealPath();
    int threads = 4;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Path>> roots = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        roots.add(pool.submit(() -> {
          go.await();
          return NestedJars.unpackOnce(jar); // not the per-JVM memo: the race between JVMs
        }));
      }
      go.countDown();
      Set<Path> distinct = new HashSet<>();
      for (Future<Path> f : roots) {
        distinct.add(f.get(60, TimeUnit.SECONDS));
      }
      assertEquals(1, distinct.size(), distinct::toString);
      Path root = distinct.iterator().next();
      assertTrue(Files.isRegularFile(root.resolve("BOOT-INF/classpath.idx")));
      try (var siblings = Files.list(root.getParent())) {
        assertEquals(List.of(root), siblings.toList(), "no half-written directory left behind");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void entryPointingOutsideTheJar_isRefused() throws IOException {
    Path evil = jar(dir.resolve("evil.jar"), null, Map.of("../../escaped.txt", bytes("x")));
    IOException e = assertThrows(IOException.class, () -> NestedJars.unpack(evil));
    assertTrue(e.getMessage().contains("outside the jar"), e.getMessage());
    assertTrue(Files.notExists(dir.resolve("escaped.txt")) && Files.notExists(dir.resolve("cache/escaped.txt")));
  }
}
