package dev.unipool.hazelcast.internal;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.SerializationConfig;
import dev.unipool.Backend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * What Hazelcast open source allows in place of authentication, which it does not have: a member (and a
 * pool's client) deserializes only what unipool's envelopes and Hazelcast itself need, and a member's
 * cluster name is a random secret kept in a file only its user can read.
 *
 * <p>Overview: unipool's envelopes ({@link RunTask}, {@link Outcome}, {@link Probe}, {@link CancelTask},
 * {@link MemberFacts}) are Hazelcast {@code DataSerializable}s, so no unipool class needs Hazelcast's Java
 * serialization, which has no filter of its own: without one, any client that knows the cluster name
 * could submit any {@code Serializable} {@code Callable} on the member's class path (a deny-listed gadget
 * included) to any executor, and the member would run it. The filter admits only the prefixes Hazelcast
 * needs for its own traffic (its exceptions and the JDK types inside them) plus classes the launcher names
 * explicitly; zero-configuration Compact serialization, which would instantiate any other class by name,
 * admits nothing. A task still runs if it arrives in a {@code RunTask}: what the codec's deny-list admits
 * and the member's class path holds, which is what a member is for; the cluster name decides who may send
 * one.
 */
final class ClusterSecurity {
  /**
   * What Hazelcast's Java serialization may read on a member: Hazelcast's own classes, the JDK packages
   * its exceptions and their causes use, and arrays. Narrower than Hazelcast's default ({@code java} as
   * a bare prefix also admits {@code javax.*}, {@code javassist.*}, ...).
   */
  static final List<String> JAVA_SERIALIZATION_PREFIXES = List.of(
      "com.hazelcast.", "java.lang.", "java.util.", "java.io.", "java.net.", "java.nio.", "java.math.",
      "java.time.", "[");

  /** The one name zero-configuration Compact serialization admits: a class that does not exist. */
  private static final String NO_COMPACT_CLASS = "dev.unipool.hazelcast.internal.NoZeroConfigCompactClass";

  private static final SecureRandom RANDOM = new SecureRandom();

  private ClusterSecurity() {}

  /**
   * Restricts what {@code config}'s owner deserializes by class name to what unipool needs.
   *
   * @param config a member's or client's serialization config
   * @param javaClasses exact class names Java serialization may also read (e.g. a benchmark's baseline tasks)
   */
  static void restrictDeserialization(SerializationConfig config, Collection<String> javaClasses) {
    JavaSerializationFilterConfig java = new JavaSerializationFilterConfig().setDefaultsDisabled(true);
    ClassFilter allowed = java.getWhitelist();
    allowed.addPrefixes(JAVA_SERIALIZATION_PREFIXES.toArray(String[]::new));
    if (!javaClasses.isEmpty()) {
      allowed.addClasses(javaClasses.toArray(String[]::new));
    }
    config.setJavaSerializationFilterConfig(java);
    JavaSerializationFilterConfig compact = new JavaSerializationFilterConfig().setDefaultsDisabled(true);
    compact.getWhitelist().addClasses(NO_COMPACT_CLASS);
    config.getCompactSerializationConfig().setZeroConfigFilter(compact);
  }

  /**
   * The cluster name a member started without {@code --cluster-name} uses: the one in
   * {@link Backend.Cluster#nameFile()}, generated there first if there is none (readable and writable by
   * this user only, in a directory only this user can enter if it is created here). Members started at
   * the same moment agree: the file appears atomically, complete, and the first one wins.
   *
   * @return the name
   * @throws IllegalStateException if the file cannot be created or read, or other users can read it
   */
  static String memberClusterName() {
    Backend.Cluster anyAddress = Backend.cluster("127.0.0.1:1"); // reads the file the way pools do
    Path file = Backend.Cluster.nameFile();
    if (!Files.exists(file)) {
      try {
        create(file);
      } catch (IOException e) {
        throw new IllegalStateException("cannot create " + file + " to keep this user's cluster name in (" + e
            + "); give a name with --cluster-name, or another file with -D" + Backend.Cluster.NAME_FILE_PROPERTY
            + "=PATH", e);
      }
    }
    return anyAddress.resolvedClusterName();
  }

  private static void create(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null) {
      throw new IOException(file + " has no parent directory");
    }
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.isDirectory(dir)) {
      if (posix) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(dir);
      }
    }
    Path tmp = posix
        ? Files.createTempFile(dir, ".cluster-name-", ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        : Files.createTempFile(dir, ".cluster-name-", ".tmp");
    try {
      Files.writeString(tmp, newName() + "\n", StandardCharsets.UTF_8);
      try {
        Files.createLink(file, tmp); // atomic, complete, and fails if another member got there first
      } catch (FileAlreadyExistsException e) {
        // another member created it meanwhile: use theirs
      } catch (UnsupportedOperationException | IOException e) {
        if (!Files.exists(file)) { // no hard links here: a plain move, which also fails if the file exists
          try {
            Files.move(tmp, file);
          } catch (FileAlreadyExistsException raced) {
            // theirs wins
          }
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A fresh secret name: 128 random bits. */
  static String newName() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return "unipool-" + HexFormat.of().formatHex(b);
  }
}
