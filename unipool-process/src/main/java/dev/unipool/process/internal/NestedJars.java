package dev.unipool.process.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Jars inside jars (a Spring Boot executable jar's {@code BOOT-INF/lib/*.jar} and {@code BOOT-INF/classes/}),
 * made readable by a plain class path: the outer jar is unpacked once into a per-user cache directory
 * named after its SHA-256, and reused by every later pool and JVM that runs the same jar.
 *
 * <p>Why unpack rather than start each worker through the jar's own launcher (Spring Boot's
 * {@code PropertiesLauncher} with {@code -Dloader.main}): workers then start as plain class path JVMs in every
 * launch mode. The JDK's launcher finds their main class, their classes load through the JDK's application
 * class loader as in every other mode (so the codec resolves them the same way), and their class path is
 * made of jars, which the JDK's AOT cache requires. The bytes are the fat jar's own, so task classes are
 * identical on both sides. The cost is one pass over the jar when a JVM first needs it (hash, and copy the
 * first time ever).
 *
 * <p>The cache is {@code $XDG_CACHE_HOME/unipool/unpacked} (default {@code ~/.cache/unipool/unpacked}; the
 * system property {@value #CACHE_PROPERTY} moves it), with owner-only permissions. A directory in it
 * appears whole or not at all (unpacked beside it, then renamed), so concurrent JVMs never see a
 * half-written one. unipool never deletes entries; deleting them is always safe. Public for
 * {@code unipool member}, which reaches it reflectively.
 */
public final class NestedJars {
  private static final FileAttribute<?>[] OWNER_ONLY = ownerOnly();
  /** Unpacked roots by jar, size and modification time: a JVM hashes each jar once. */
  private static final Map<String, Path> UNPACKED = new ConcurrentHashMap<>();

  private NestedJars() {}

  /**
   * The class path a Spring Boot executable jar's launcher would build: its classes directory, then its
   * nested jars (in the order of its class path index when it has one), all unpacked into the cache. Any
   * other jar is returned as it is.
   *
   * @param jar a jar file
   * @return the class path entries that hold the jar's classes
   * @throws IOException if the jar cannot be read or the cache cannot be written
   */
  public static List<Path> classPath(Path jar) throws IOException {
    Manifest manifest;
    try (JarFile file = new JarFile(jar.toFile(), false)) {
      manifest = file.getManifest();
    }
    Attributes main = manifest == null ? null : manifest.getMainAttributes();
    String classes = main == null ? null : main.getValue("Spring-Boot-Classes");
    String lib = main == null ? null : main.getValue("Spring-Boot-Lib");
    if (main == null || classes == null || lib == null) {
      return List.of(jar);
    }
    Path root = unpack(jar);
    List<Path> entries = new ArrayList<>();
    entries.add(inside(root, classes));
    String index = main.getValue("Spring-Boot-Classpath-Index");
    Path indexFile = index == null ? null : inside(root, index);
    List<String> libs = new ArrayList<>();
    if (indexFile != null && Files.isRegularFile(indexFile)) {
      for (String line : Files.readAllLines(indexFile)) {
        String name = line.strip();
        if (name.startsWith("- ")) { // - "BOOT-INF/lib/x.jar"
          name = name.substring(2).strip();
        }
        if (name.length() > 1 && name.startsWith("\"") && name.endsWith("\"")) {
          name = name.substring(1, name.length() - 1);
        }
        if (!name.isEmpty()) {
          libs.add(name.contains("/") ? name : lib + name);
        }
      }
    } else {
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        zip.stream().map(ZipEntry::getName)
            .filter(n -> n.startsWith(lib) && n.toLowerCase(Locale.ROOT).endsWith(".jar"))
            .forEach(libs::add);
      }
    }
    for (String name : libs) {
      entries.add(inside(root, name));
    }
    return entries;
  }

  /**
   * Where a jar's content is unpacked, unpacking it first if no JVM has yet.
   *
   * @param jar the outer jar
   * @return a directory holding every entry of the jar under its own name
   * @throws IOException if the jar cannot be read or the cache cannot be written
   */
  static Path unpack(Path jar) throws IOException {
    Path real = jar.toRealPath();
    String key = real + "|" + Files.size(real) + "|" + Files.getLastModifiedTime(real).toMillis();
    try {
      return UNPACKED.computeIfAbsent(key, k -> {
        try {
          return unpackOnce(real);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** A path inside an unpacked root, refusing names that would leave it. */
  static Path inside(Path root, String entryName) throws IOException {
    Path p = root.resolve(entryName).normalize();
    if (!p.startsWith(root)) {
      throw new IOException("jar entry '" + entryName + "' points outside the jar");
    }
    return p;
  }

  /** Unpacks a jar into the cache unless a directory for its hash is there; safe against other JVMs doing the same. */
  static Path unpackOnce(Path jar) throws IOException {
    String name = jar.getFileName() == null ? "jar" : jar.getFileName().toString();
    Path parent = cacheRoot().resolve("unpacked");
    Files.createDirectories(parent, OWNER_ONLY);
    Path target = parent.resolve(name + "-" + sha256(jar).substring(0, 32));
    if (Files.isDirectory(target)) {
      requireOwned(target);
      return target;
    }
    Path tmp = Files.createTempDirectory(parent, "." + name + ".", OWNER_ONLY);
    try {
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        for (ZipEntry e : java.util.Collections.list(zip.entries())) {
          Path to = inside(tmp, e.getName());
          if (e.isDirectory()) {
            Files.createDirectories(to);
            continue;
          }
          Files.createDirectories(to.getParent());
          try (InputStream in = zip.getInputStream(e)) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        if (!Files.isDirectory(target)) {
          throw e;
        }
        // Another JVM unpacked the same jar first (rename(2) fails with "Directory not empty", which Java
        // reports as a plain FileSystemException): the same bytes, so use its copy.
        requireOwned(target);
      }
    } finally {
      deleteTree(tmp);
    }
    return target;
  }

  private static void requireOwned(Path dir) throws IOException {
    if (OWNER_ONLY.length == 0) {
      return; // not POSIX: no owner to compare
    }
    UserPrincipal me = FileSystems.getDefault().getUserPrincipalLookupService()
        .lookupPrincipalByName(System.getProperty("user.name", ""));
    if (!Files.getOwner(dir).equals(me)) {
      throw new IOException(dir + " is not owned by " + me.getName() + ": refusing to run classes from it;"
          + " delete it or set XDG_CACHE_HOME to a directory of your own");
    }
  }

  /** The system property that moves the cache (default: {@code $XDG_CACHE_HOME/unipool}). */
  public static final String CACHE_PROPERTY = "unipool.cache.dir";

  /** The per-user cache directory of unipool. */
  static Path cacheRoot() throws IOException {
    String given = System.getProperty(CACHE_PROPERTY);
    if (given != null && !given.isBlank()) {
      Path root = Path.of(given);
      Files.createDirectories(root, OWNER_ONLY);
      return root;
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home", "."), ".cache");
    Path root = base.resolve("unipool");
    try {
      Files.createDirectories(root, OWNER_ONLY);
      if (Files.isWritable(root)) {
        return root;
      }
    } catch (IOException e) {
      // a read-only home: fall back to the temporary directory below
    }
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "unipool-" + System.getProperty("user.name", "user"));
    Files.createDirectories(tmp, OWNER_ONLY);
    requireOwned(tmp); // in a shared /tmp, another user could have created it first
    return tmp;
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a leftover hidden temporary directory in the cache is harmless
    }
  }

  private static FileAttribute<?>[] ownerOnly() {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))};
  }
}
