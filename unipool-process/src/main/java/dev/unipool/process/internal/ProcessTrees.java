package dev.unipool.process.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

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
   * Kills every live process that carries {@code MARKER=id} in its environment and started no earlier
   * than {@code notBefore} (older processes cannot descend from the worker, and skipping them keeps the
   * search short).
   *
   * @param id the worker's marker value
   * @param notBefore when the worker was launched
   * @return how many processes were killed
   */
  static int killMarked(String id, Instant notBefore) {
    if (!Files.isDirectory(PROC)) {
      return 0;
    }
    byte[] needle = (MARKER + "=" + id).getBytes(StandardCharsets.UTF_8);
    long self = ProcessHandle.current().pid();
    int[] killed = {0};
    ProcessHandle.allProcesses().forEach(p -> {
      if (p.pid() == self) {
        return;
      }
      Optional<Instant> started = p.info().startInstant();
      // Start instants are rounded to clock ticks: allow one second of slack.
      if (started.isPresent() && started.get().isBefore(notBefore.minusSeconds(1))) {
        return;
      }
      if (carries(p.pid(), needle) && p.destroyForcibly()) {
        killed[0]++;
      }
    });
    return killed[0];
  }

  private static boolean carries(long pid, byte[] needle) {
    byte[] env;
    try {
      env = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
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
