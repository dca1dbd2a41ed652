package dev.unipool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Where this user's cluster name lives and how a {@link Backend.Cluster} without an explicit name reads it:
 * the file, its permission check and the messages that say what to do. Kept out of {@code Backend}, which
 * is the configuration, not file handling.
 */
final class ClusterNames {
  private ClusterNames() {}

  /** See {@link Backend.Cluster#nameFile()}. */
  static Path nameFile() {
    String explicit = System.getProperty(Backend.Cluster.NAME_FILE_PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit).toAbsolutePath();
    }
    String xdg = System.getenv("XDG_CONFIG_HOME");
    Path config = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
        ? Path.of(xdg)
        : Path.of(System.getProperty("user.home"), ".config");
    return config.resolve("unipool").resolve("cluster-name");
  }

  /**
   * The name in {@link #nameFile()}, for a cluster backend given none.
   *
   * @param addresses the members' addresses, for the messages
   * @throws IllegalStateException if the file is missing, empty, unreadable or readable by other users
   */
  static String read(java.util.List<String> addresses) {
    Path file = nameFile();
    String pass = " Or pass the members' name: Backend.cluster(...).clusterName(NAME), UNIPOOL_BACKEND=cluster:NAME@"
        + addresses.getFirst().strip() + ", or --join NAME@" + addresses.getFirst().strip() + ".";
    if (!Files.exists(file)) {
      throw new IllegalStateException("no cluster name for " + String.join(", ", addresses) + ": none was given, and "
          + file + ", where ./unipool member keeps this user's, does not exist. Start a member as this user"
          + " on this machine first (./unipool member), or copy that file from the machine where the members"
          + " run (keep it private: chmod 600)." + pass);
    }
    try {
      if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        p.retainAll(EnumSet.complementOf(EnumSet.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE)));
        if (!p.isEmpty()) {
          throw new IllegalStateException(file + " holds the cluster name, a secret, but other users have "
              + p + " on it; make it private with: chmod 600 " + file);
        }
      }
      String read = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (read.isEmpty()) {
        throw new IllegalStateException(file + " should hold the cluster name and is empty; delete it and start"
            + " ./unipool member again to generate one." + pass);
      }
      return read;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the cluster name from " + file + ": " + e + "." + pass, e);
    }
  }
}
