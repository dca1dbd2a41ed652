package dev.unipool.process.internal;

import dev.unipool.Backend;
import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The JDK's AOT cache (JEP 483) for worker JVMs, made and used without the user's help: workers start
 * with their classes already loaded and linked from it.
 *
 * <p>Overview: the cache is a file in the per-user cache directory ({@link NestedJars#cacheRoot()}, then
 * {@code startup/}; the system property {@value #DIR_PROPERTY} moves it), named after a hash of what the
 * JDK checks when it opens one: the JDK, the worker command's flags and class path, and each jar's size
 * and modification time. A pool that finds its cache starts every worker with {@code -XX:AOTCache}. A pool
 * that finds none claims a lock file (so that of several JVMs racing, one records) and starts its first
 * worker in the JDK's recording mode ({@code -XX:AOTMode=record}), which writes a configuration as that
 * worker exits; the pool's other workers start as usual. A detached shell, started with the recorder,
 * waits for its exit, runs the JDK's create step into a temporary file and renames it into place, so
 * nobody ever opens a half-written cache; the pool and the JVM that owns it need not wait for it, nor
 * outlive it.
 *
 * <p>Every JDK message about the cache ({@code aot} and {@code cds} log tags) is switched off in the
 * workers: a cache the JDK refuses (it checks more than the key does) is then ignored quietly, never
 * printed into the user's output. The refusal is found out by looking for the file among the first
 * worker's memory mappings; it is then logged at debug level and deleted, so the next pool records a
 * fresh one. Some caches the JDK refuses by ending the JVM instead; a worker given the cache that dies
 * before it is ready is started again without it ({@link #startFailed}). Where the JDK cannot use a cache
 * at all (a class path with directories, a module path, the user's own AOT or CDS flags, a JDK before 25)
 * nothing is recorded, with a debug log line saying why.
 */
final class StartupCache {
  /** The system property that moves the cache directory (default: {@code <unipool cache>/startup}). */
  static final String DIR_PROPERTY = Backend.Processes.STARTUP_CACHE_DIR_PROPERTY;
  private static final System.Logger LOG = System.getLogger("dev.unipool");
  /** A lock older than this belongs to a recorder that died or never exited; it no longer counts. */
  static final Duration STALE_LOCK = Duration.ofMinutes(10);
  /** Caches kept in the directory, the most recently used ones; a new key's recording evicts the rest. */
  static final int KEEP = 8;
  /** Silences the JDK's messages about archives and caches in the worker (they are about unipool's cache). */
  static final String QUIET = "-Xlog:aot*=off,cds*=off";
  /** How long after its start a worker has surely opened (or refused) its cache, for the refusal check. */
  private static final Duration MAPPED_CHECK_AFTER = Duration.ofSeconds(5);
  /** Flags with which the user takes the JDK's caches into their own hands. */
  private static final List<String> OWN_FLAGS = List.of("-XX:AOTCache", "-XX:AOTCacheOutput", "-XX:AOTMode",
      "-XX:AOTConfiguration", "-XX:SharedArchiveFile", "-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive",
      "-Xshare", "-XX:+RecordDynamicDumpInfo",
      // JDK 25.0.3 crashes (FileMapInfo::readonly_total) printing a native memory summary with an AOT cache
      "-XX:NativeMemoryTracking");

  /** What a pool does with the cache. */
  enum Mode {
    /** Nothing: turned off, or the JDK could not use a cache for these workers. */
    OFF,
    /** No cache yet: the pool's first worker records one. */
    RECORD,
    /** A cache is ready: every worker starts from it. */
    USE
  }

  private final Mode mode;
  private final String why;
  private final List<String> command;
  private final @Nullable Path cache;
  private final AtomicBoolean recorderStarted = new AtomicBoolean();
  private final AtomicBoolean checked = new AtomicBoolean();
  /** Set once a worker given the cache's flags died starting: the pool's later workers start without them. */
  private final AtomicBoolean dropped = new AtomicBoolean();
  private volatile long recorderPid = -1;

  private StartupCache(Mode mode, String why, List<String> command, @Nullable Path cache) {
    this.mode = mode;
    this.why = why;
    this.command = command;
    this.cache = cache;
  }

  /** A cache that does nothing. */
  static StartupCache off(String why) {
    return new StartupCache(Mode.OFF, why, List.of(), null);
  }

  /**
   * Decides what a pool does: use a ready cache, record one, or nothing. Claims the recording lock when
   * it decides to record.
   *
   * @param enabled the pool's {@link Backend.Processes#startupCache()} setting
   * @param command the worker command without the main class and its arguments: {@code java}, class path,
   *     flags, the user's flags last
   * @param userFlags the user's flags ({@link Backend.Processes#jvmArgs()})
   * @param dir the cache directory, or null for the default (created when missing)
   */
  static StartupCache plan(boolean enabled, List<String> command, List<String> userFlags, @Nullable Path dir) {
    String off = System.getProperty(Backend.Processes.STARTUP_CACHE_PROPERTY);
    if (!enabled || "false".equalsIgnoreCase(off)) {
      return quietlyOff("turned off (" + (enabled ? "-D" + Backend.Processes.STARTUP_CACHE_PROPERTY + "=false"
          : "Backend.processes(n).startupCache(false)") + ")");
    }
    if (Runtime.version().feature() < 25) {
      return quietlyOff("needs JDK 25 or newer, this is " + Runtime.version());
    }
    for (String flag : command) {
      for (String own : OWN_FLAGS) {
        if (flag.startsWith(own)) {
          return quietlyOff("the worker flags choose their own (" + flag + ")");
        }
      }
      if (flag.equals("--module-path") || flag.equals("-p")) {
        return quietlyOff("workers run on the module path");
      }
    }
    int cp = command.indexOf("-cp");
    if (cp < 0 || cp + 1 >= command.size()) {
      return quietlyOff("workers have no class path");
    }
    List<String> entries = List.of(command.get(cp + 1).split(File.pathSeparator, -1));
    for (String e : entries) {
      if (!e.endsWith(".jar") || !Files.isRegularFile(Path.of(e))) {
        return quietlyOff("the JDK takes a cache only for a class path of jars, and this one has " + e);
      }
    }
    Path where;
    String key;
    try {
      where = dir != null ? dir : defaultDir();
      Files.createDirectories(where);
      key = key(command, entries);
    } catch (IOException | RuntimeException e) {
      return quietlyOff("no cache directory: " + e);
    }
    Path cache = where.resolve(key + ".aot");
    if (Files.isRegularFile(cache)) {
      try {
        // Its modification time says when it was last used: the eviction below keeps the recent ones.
        Files.setLastModifiedTime(cache, FileTime.from(Instant.now()));
      } catch (IOException e) {
        // a cache that cannot be touched is still a cache
      }
      return new StartupCache(Mode.USE, "using " + cache, command, cache);
    }
    if (Files.exists(where.resolve(key + ".failed"))) {
      return quietlyOff("the JDK failed to create or to use " + cache + " before (delete " + key
          + ".failed to try again)");
    }
    if (!claim(where.resolve(key + ".lock"))) {
      return quietlyOff("another JVM is recording " + cache);
    }
    evict(where, KEEP);
    LOG.log(Level.DEBUG, "startup cache: recording {0} with the first worker", cache);
    return new StartupCache(Mode.RECORD, "recording " + cache, command, cache);
  }

  /**
   * Deletes all but the {@code keep} most recently used caches: every rebuilt jar makes a new key, and a
   * cache is some 20 MB. Deleting one that a running worker has mapped is safe (the mapping outlives the
   * name). Called when a new one is about to be recorded, so at most {@code keep + 1} are ever kept.
   */
  static void evict(Path dir, int keep) {
    List<Path> caches = new ArrayList<>();
    try (var files = Files.list(dir)) {
      files.filter(f -> f.getFileName().toString().endsWith(".aot")).forEach(caches::add);
    } catch (IOException e) {
      return;
    }
    if (caches.size() <= keep) {
      return;
    }
    List<Map.Entry<Path, FileTime>> byAge = new ArrayList<>();
    for (Path c : caches) {
      try {
        byAge.add(Map.entry(c, Files.getLastModifiedTime(c)));
      } catch (IOException e) {
        // gone meanwhile
      }
    }
    byAge.sort(Map.Entry.<Path, FileTime>comparingByValue().reversed());
    for (int i = keep; i < byAge.size(); i++) {
      deleteQuietly(byAge.get(i).getKey());
    }
  }

  private static StartupCache quietlyOff(String why) {
    LOG.log(Level.DEBUG, "startup cache not used: {0}", why);
    return off(why);
  }

  /** The default directory: {@code startup} in unipool's per-user cache directory. */
  static Path defaultDir() throws IOException {
    String given = System.getProperty(DIR_PROPERTY);
    return given != null && !given.isBlank() ? Path.of(given) : NestedJars.cacheRoot().resolve("startup");
  }

  /** What the pool does. */
  Mode mode() {
    return mode;
  }

  /** Why, for logs and tests. */
  @Override
  public String toString() {
    return mode.name().toLowerCase(Locale.ROOT) + ": " + why;
  }

  /** The cache file ({@code KEY.aot}), or null when off. */
  @Nullable Path file() {
    return cache;
  }

  /**
   * The flags for the next worker to start: the cache for every worker when one is ready; the recording
   * flags for the first worker when there is none; nothing otherwise. They go before the user's flags.
   */
  List<String> flagsForNextWorker() {
    Path c = cache;
    if (c == null || dropped.get()) {
      return List.of();
    }
    return switch (mode) {
      case USE -> List.of("-XX:AOTCache=" + c, QUIET);
      case RECORD -> recorderStarted.compareAndSet(false, true)
          // The JDK prints "AOTConfiguration recorded" on stdout as the recorder exits, whatever the log
          // settings; only switching the VM's own output off keeps it out of the user's. That also hides
          // the VM's last words should this one worker crash, which is the price of a quiet first run.
          ? List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + configuration(c), QUIET,
              "-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput")
          : List.of();
      case OFF -> List.of();
    };
  }

  /**
   * Tells the cache that a worker started with {@link #flagsForNextWorker()}'s flags: for the recorder,
   * the create step is set up to run once it has exited; the first worker started from the cache is
   * checked for a refusal.
   *
   * @param process the worker
   * @param flags the flags it was given
   */
  void started(Process process, List<String> flags) {
    Path c = cache;
    if (c == null || flags.isEmpty()) {
      return;
    }
    if (mode == Mode.RECORD) {
      recorderPid = process.pid();
      createAfterExit(process, c);
    } else if (mode == Mode.USE && checked.compareAndSet(false, true)) {
      Thread.ofVirtual().name("unipool-startup-cache-check").start(() -> checkMapped(process, c));
    }
  }

  /**
   * Tells the cache that a worker given its flags died before it was ready. Some caches the JDK refuses
   * not quietly but by ending the JVM ("Unable to use AOT cache"): one holding AOT-linked classes whose
   * archived objects do not fit the heap as the worker's flags shape it (a young generation that fills
   * the initial heap, say). From now on this pool starts its workers without the cache. If the worker's
   * output names the cache, it is deleted and marked failed, so that later pools with these flags
   * neither use nor record it again; otherwise (the worker died of something else) the file stays.
   *
   * @param tail the worker's last output lines
   * @return true (the pool has a cache): the worker should be started again at once, without it, its
   *     death not counted against its flags
   */
  boolean startFailed(String tail) {
    Path c = cache;
    if (c == null) {
      return false;
    }
    if (!dropped.compareAndSet(false, true)) {
      return true; // another worker given the flags at the same time: already dealt with
    }
    if (tail.contains("AOT cache")) {
      String name = c.getFileName().toString();
      try {
        Files.writeString(c.resolveSibling(name.substring(0, name.length() - ".aot".length()) + ".failed"), tail);
      } catch (IOException e) {
        // then the next pool tries it once more, and falls back the same way
      }
      if (mode == Mode.USE) {
        deleteQuietly(c);
      }
    }
    LOG.log(Level.DEBUG, "startup cache: a worker given {0} died starting; this pool goes on without it. Its output: {1}",
        c, tail);
    return true;
  }

  /**
   * Whether {@code worker} is the one recording the cache: its exit takes seconds (the JDK writes the
   * recorded configuration), so whoever waits for it to exit must wait that long before killing it, or
   * there is no cache.
   *
   * @param worker a worker of this pool
   * @return whether it records
   */
  boolean recorder(Process worker) {
    return worker.pid() == recorderPid;
  }

  /**
   * Starts, now, a detached shell that waits for the recorder to exit and then runs the JDK's create step
   * into a temporary file renamed into place. Started now rather than when the recorder exits, because
   * this JVM may be gone by then: a command-line program closes its pool and exits at once, and its next
   * run is the one that should start from the cache.
   */
  private void createAfterExit(Process recorder, Path c) {
    Path conf = configuration(c);
    Path lock = lockOf(c);
    String name = c.getFileName().toString();
    Path tmp = c.resolveSibling(name + "." + ProcessHandle.current().pid() + ".tmp");
    Path failed = c.resolveSibling(name.substring(0, name.length() - ".aot".length()) + ".failed");
    List<String> java = new ArrayList<>(command);
    java.add("-XX:AOTMode=create");
    java.add("-XX:AOTConfiguration=" + conf);
    java.add("-XX:AOTCache=" + tmp);
    // Polls the recorder's pid: the shell is no parent of it, so it cannot wait for it otherwise. No
    // configuration means the recorder was killed before writing one: the lock goes, a later pool records.
    String script = "while kill -0 \"$WORKER\" 2>/dev/null; do sleep 0.2; done; "
        + "if [ -s \"$CONF\" ]; then "
        + "\"$@\" && mv -f \"$TMP\" \"$CACHE\" || { rc=$?; rm -f \"$TMP\"; [ $rc -lt 128 ] && touch \"$FAILED\"; }; "
        + "fi; rm -f \"$CONF\" \"$LOCK\"";
    List<String> sh = new ArrayList<>(List.of("/bin/sh", "-c", script, "unipool-startup-cache"));
    sh.addAll(java);
    ProcessBuilder pb = new ProcessBuilder(sh)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("WORKER", Long.toString(recorder.pid()));
    pb.environment().put("TMP", tmp.toString());
    pb.environment().put("CACHE", c.toString());
    pb.environment().put("FAILED", failed.toString());
    pb.environment().put("CONF", conf.toString());
    pb.environment().put("LOCK", lock.toString());
    pb.environment().remove(ProcessTrees.MARKER); // not a worker's descendant: no worker's clean-up may kill it
    try {
      pb.start();
      LOG.log(Level.DEBUG, "startup cache: {0} is created in the background once the recording worker exits", c);
    } catch (IOException e) {
      // Without the create step the recording is useless; the lock goes so that a later pool tries again.
      deleteQuietly(lock);
      LOG.log(Level.DEBUG, "startup cache: the create step did not start: {0}", e);
    }
  }

  /**
   * Whether the JDK took the cache: a JVM that uses it maps the file. One that refused it (another JDK
   * build, a jar changed within the same second) did not; the file is deleted, and the next pool records
   * anew. Linux only ({@code /proc}); elsewhere nothing is checked.
   */
  private static void checkMapped(Process process, Path c) {
    Path maps = Path.of("/proc", Long.toString(process.pid()), "maps");
    if (!Files.isReadable(Path.of("/proc/self/maps"))) {
      return;
    }
    try {
      // Not a synchronisation: a background look, late enough that any JVM has opened its cache by then.
      if (process.waitFor(MAPPED_CHECK_AFTER.toMillis(), TimeUnit.MILLISECONDS)) {
        return; // gone already: nothing to tell
      }
      String text = Files.readString(maps, StandardCharsets.ISO_8859_1);
      if (!text.contains(c.toString())) {
        LOG.log(Level.DEBUG, "startup cache: the JDK refused {0} (worker {1}); deleted, the next pool records a new one",
            c, process.pid());
        deleteQuietly(c);
      }
    } catch (IOException e) {
      // the worker exited between the two looks
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Claims the recording lock: creates it, or takes over a stale one. */
  static boolean claim(Path lock) {
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        Files.writeString(lock, ProcessHandle.current().pid() + "\n", java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE);
        return true;
      } catch (FileAlreadyExistsException e) {
        try {
          FileTime t = Files.readAttributes(lock, BasicFileAttributes.class).lastModifiedTime();
          if (t.toInstant().isAfter(Instant.now().minus(STALE_LOCK))) {
            return false;
          }
          Files.deleteIfExists(lock); // two JVMs may both delete it; CREATE_NEW still lets one win
        } catch (IOException gone) {
          // deleted meanwhile: try again
        }
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  static Path configuration(Path c) {
    return c.resolveSibling(c.getFileName() + "conf");
  }

  static Path lockOf(Path c) {
    String name = c.getFileName().toString();
    return c.resolveSibling(name.substring(0, name.length() - ".aot".length()) + ".lock");
  }

  /**
   * The cache's name: a hash of the JDK, the worker command and each class path jar's size and
   * modification time, so that a rebuilt jar or another JDK gets a cache of its own.
   */
  static String key(List<String> command, List<String> jars) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    StringBuilder text = new StringBuilder();
    text.append(System.getProperty("java.home")).append('\n').append(System.getProperty("java.vm.version")).append('\n');
    for (String a : command) {
      text.append(a).append('\n');
    }
    for (String j : jars) {
      BasicFileAttributes a = Files.readAttributes(Path.of(j), BasicFileAttributes.class);
      text.append(j).append(' ').append(a.size()).append(' ').append(a.lastModifiedTime().toMillis()).append('\n');
    }
    return HexFormat.of().formatHex(sha.digest(text.toString().getBytes(StandardCharsets.UTF_8)), 0, 12);
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a leftover file in the cache directory is harmless
    }
  }
}
