package dev.unipool.process.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * What to do with a worker slot whose worker died before the pool stopped, or could not be launched: the
 * start-up fault rules, apart from the processes they are about.
 *
 * <p>A worker that was ready (or that the pool stopped) is replaced at once. One that exited on its own
 * before it was ready shows that workers cannot start (bad flags, a missing class, too little memory):
 * that breaks the pool. A worker killed by a signal from outside (an operator, the OOM killer, a container
 * runtime) says nothing about the configuration: it is replaced, after a growing delay if its slot keeps
 * losing workers before they become ready, so a killer that strikes at every start does not make the
 * pool spin.
 *
 * <p>Not thread-safe: the pool calls it with its lock held.
 */
final class RespawnPolicy {
  /**
   * Workers of one slot that exit with status 0 before becoming ready this many times in a row break the
   * pool: they keep giving up on their parent (refused handshakes) for a reason a new worker will not fix.
   */
  private static final int MAX_QUIET_STARTUP_EXITS = 5;
  /** Consecutive deaths before ready in one slot that are respawned at once; later ones back off. */
  private static final int RESPAWN_AT_ONCE = 2;
  private static final long MAX_RESPAWN_DELAY_MILLIS = 2_000;

  /**
   * The verdict for a slot.
   *
   * @param delayMillis spawn a new worker after this long (0: at once); ignored if {@code failure} is set
   * @param failure why the pool must break instead, or null
   */
  record Decision(long delayMillis, @Nullable IllegalStateException failure) {
    static final Decision NOW = new Decision(0, null);
  }

  /** Per slot: workers in a row that died before becoming ready (reset when one becomes ready). */
  private final int[] earlyDeaths;
  private final int[] quietEarlyExits;
  private final int[] launchFailures;

  RespawnPolicy(int slots) {
    this.earlyDeaths = new int[slots];
    this.quietEarlyExits = new int[slots];
    this.launchFailures = new int[slots];
  }

  /** A worker of {@code slot} became ready: its start-up troubles are over. */
  void ready(int slot) {
    earlyDeaths[slot] = 0;
    quietEarlyExits[slot] = 0;
  }

  /** A worker of {@code slot} was launched (it may still die starting). */
  void launched(int slot) {
    launchFailures[slot] = 0;
  }

  /**
   * A worker of {@code slot} exited while the pool still needs it.
   *
   * @param name its name
   * @param readyOrStopped whether it had been ready, or the pool had stopped it
   * @param code its exit status (128 + n for signal n)
   * @param tail its last output lines
   */
  Decision exited(int slot, String name, boolean readyOrStopped, int code, String tail) {
    if (readyOrStopped) {
      return Decision.NOW;
    }
    boolean killedFromOutside = isOutsideKill(code);
    if (!killedFromOutside && code != 0) {
      // It exited on its own before saying it was ready: the JVM refused its flags, the main class is
      // missing, it ran out of memory starting, or it crashed. A new worker would do the same.
      return new Decision(0, new IllegalStateException("worker process " + name + " could not start (exit code "
          + code + (code > 128 ? ", signal " + (code - 128) : "") + "): check the class path, jvmArgs and heap of "
          + "Backend.processes(...); its last output lines:\n" + tail));
    }
    if (!killedFromOutside && ++quietEarlyExits[slot] >= MAX_QUIET_STARTUP_EXITS) {
      return new Decision(0, new IllegalStateException("worker processes keep exiting before they connect to the"
          + " pool (" + quietEarlyExits[slot] + " in a row, exit code 0); their last output lines:\n" + tail));
    }
    int deaths = ++earlyDeaths[slot];
    return deaths <= RESPAWN_AT_ONCE ? Decision.NOW : new Decision(backoff(deaths - RESPAWN_AT_ONCE), null);
  }

  /**
   * The JVM of {@code slot} could not be launched. A missing or unusable {@code java} will not get
   * better; anything else (the spawn helper killed from outside, a passing shortage of memory or
   * processes) is tried again after a delay, a few times in a row at most.
   */
  Decision launchFailed(int slot, String java, IOException e) {
    if (!Files.isExecutable(Path.of(java)) || ++launchFailures[slot] > MAX_QUIET_STARTUP_EXITS) {
      return new Decision(0, new IllegalStateException("cannot start worker process " + java + ": " + e.getMessage(), e));
    }
    return new Decision(backoff(launchFailures[slot]), null);
  }

  /** A delay that doubles with {@code attempt} (1, 2, ...), capped. */
  private static long backoff(int attempt) {
    return Math.min(MAX_RESPAWN_DELAY_MILLIS, 50L << Math.min(10, attempt));
  }

  /** Whether an exit status is that of a signal others send to stop a process: KILL, TERM, INT, HUP. */
  static boolean isOutsideKill(int code) {
    return code == 128 + 9 || code == 128 + 15 || code == 128 + 2 || code == 128 + 1;
  }
}
