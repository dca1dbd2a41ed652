package dev.unipool.process.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;

/**
 * Kills worker processes together with the processes their tasks started.
 *
 * <p>A task may start child processes; they must not outlive the worker that ran it. While a worker is
 * alive its descendants are found through {@link ProcessHandle#descendants()}. Once it is dead (a crash, a
 * kill from outside) they have been re-parented and no longer show as its descendants, so every worker is
 * started with a marker in its environment ({@link #MARKER}), which its descendants inherit, and after its
 * exit the processes carrying that marker are killed. That search reads {@code /proc/PID/environ} and so
 * works on Linux only; elsewhere only the live-tree kill applies.
 */
final class ProcessTrees {
  /** The environment variable that marks a worker and everything it starts. */
  static final String MARKER = "UNIPOOL_WORKER_ID";

  private static final Path PROC = Path.of("/proc");

  private ProcessTrees() {}

  /** Kills {@code process}'s descendants (children first found, then the rest), then the process itself. */
  static void killTree(ProcessHandle process) {
    // Descendants first: once the worker is gone they are re-parented and no longer found from it.
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /**
   * Kills every live process that carries {@code MARKER=id} in its environment.
   *
   * @param id the worker's marker value
   * @return how many processes were killed
   */
  static int killMarked(String id) {
    if (!Files.isDirectory(PROC)) {
      return 0;
    }
    byte[] needle = (MARKER + "=" + id).getBytes(StandardCharsets.UTF_8);
    long self = ProcessHandle.current().pid();
    int killed = 0;
    // One read of /proc/PID/environ per process: cheaper than ProcessHandle.allProcesses() with info(),
    // which reads several files per process, and this runs at every worker exit, close() included.
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, p -> isPid(p.getFileName().toString()))) {
      for (Path dir : pids) {
        long pid = Long.parseLong(dir.getFileName().toString());
        if (pid != self && carries(dir, needle)
            && ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
          killed++;
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      // /proc unreadable: nothing more can be found
    }
    return killed;
  }

  private static boolean isPid(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) < '0' || name.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean carries(Path procDir, byte[] needle) {
    byte[] env;
    try {
      env = Files.readAllBytes(procDir.resolve("environ"));
    } catch (IOException | SecurityException e) {
      return false; // gone, or not ours to read (another user's process is never a worker's descendant)
    }
    // Entries are NUL-separated NAME=value strings; match a whole entry.
    int start = 0;
    for (int i = 0; i <= env.length; i++) {
      if (i == env.length || env[i] == 0) {
        if (i - start == needle.length && java.util.Arrays.equals(env, start, i, needle, 0, needle.length)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }
}
