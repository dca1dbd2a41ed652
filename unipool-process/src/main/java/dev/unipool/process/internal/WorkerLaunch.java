package dev.unipool.process.internal;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolStartException;
import dev.unipool.remote.Codec;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.jspecify.annotations.Nullable;

/**
 * The command that starts a worker JVM, fitted to how this JVM was launched.
 *
 * <p>Overview: the worker's class path is where this JVM's classes really are ({@link WorkerClasspath}: the
 * class loaders of the class that opened the pool, of the thread, and of unipool), with unipool's own jars
 * added when they are not among them, and the user's {@link Backend.Processes#classpath} (or
 * {@value Backend.Processes#CLASSPATH_ENV}) in front. When unipool itself runs on the module path, workers
 * do too: the same module path and root modules, so task classes are in the same named modules on both
 * sides. The worker's main class is always named on the command line (the class path launcher finds it in
 * its named module as well), so the rest of the command does not depend on the mode.
 *
 * <p>Before any worker starts, {@link #of} checks that the worker's main class, the codec and the class that
 * opened the pool are reachable there; otherwise it throws a {@link PoolStartException} naming the launch
 * mode, what was tried and the fix, instead of letting workers die with "Could not find or load main class".
 *
 * <p>JVM flags are copied from this JVM only where they make sense in the worker: module names that the
 * worker does not have (an application module, when the worker runs on the class path) become
 * {@code ALL-UNNAMED} or are dropped, so no worker warns about an unknown module.
 */
final class WorkerLaunch {
  static final String PROCESS_MODULE = "dev.unipool.process";
  private static final String FORY_CLASS = "org.apache.fory.Fory";
  private static final String FORY_MODULE = "org.apache.fory.core";
  private static final String INVOKE_OPENS = "--add-opens=java.base/java.lang.invoke=";
  /** Class path entries with the {@code Class-Path} of their manifests, per class path: read once per JVM. */
  private static final Map<List<String>, Set<Path>> EXPANDED = new ConcurrentHashMap<>();

  private final String mode;
  private final List<String> command;
  private final List<String> classPath;
  private final List<String> modulePath;
  private final @Nullable ModuleFinder moduleFinder;
  private final WorkerClasspath.Found found;
  private final String source;
  private final boolean startupCacheEnabled;
  private final List<String> userFlags;
  /** Planned when the first worker starts, not before: planning may claim the recording lock. */
  private @Nullable StartupCache startupCache;
  /** Per task class, whether workers can load it: looked up once per class, a map read per submit after. */
  private final ClassValue<Boolean> taskReachable = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> c) {
      ClassLoader l = c.getClassLoader();
      return l == null || l == ClassLoader.getPlatformClassLoader() || reachable(c, classPath, moduleFinder);
    }
  };

  private WorkerLaunch(String mode, List<String> command, List<String> classPath, List<String> modulePath,
      @Nullable ModuleFinder moduleFinder, WorkerClasspath.Found found, String source, boolean startupCacheEnabled,
      List<String> userFlags) {
    this.mode = mode;
    this.command = command;
    this.classPath = classPath;
    this.modulePath = modulePath;
    this.moduleFinder = moduleFinder;
    this.found = found;
    this.source = source;
    this.startupCacheEnabled = startupCacheEnabled;
    this.userFlags = userFlags;
  }

  /** The JDK start-up cache for these workers ({@link StartupCache}), planned on the first call. */
  synchronized StartupCache startupCache() {
    StartupCache c = startupCache;
    if (c == null) {
      c = StartupCache.plan(startupCacheEnabled, command, userFlags, null);
      startupCache = c;
    }
    return c;
  }

  /**
   * Checks, at submit, that workers can load a task's class: one the pool's opening class did not
   * vouch for (a plugin's, or one from another class loader) would otherwise fail only in the worker,
   * as a {@code ClassNotFoundException}.
   *
   * @param taskClass the class of the submitted task
   * @throws IllegalArgumentException if the workers' class path would not hold it, naming the fix
   */
  void checkTask(Class<?> taskClass) {
    if (!taskReachable.get(taskClass)) {
      throw new IllegalArgumentException("this task cannot run in a worker process: " + unreachable(taskClass,
          "the task's class " + taskClass.getName() + ",", mode, classPath, modulePath, found, source));
    }
  }

  /** How this JVM was launched, as detected. */
  String mode() {
    return mode;
  }

  /**
   * The worker command up to, not including, the main class: {@code java}, class or module path, JVM
   * flags, and last the user's {@link Backend.Processes#jvmArgs}.
   */
  List<String> command() {
    return command;
  }

  /**
   * The command for workers of this configuration, from this JVM as it runs now.
   *
   * @throws PoolStartException if a class the workers need would not be reachable
   */
  static WorkerLaunch plan(Backend.Processes config) {
    return of(config, System::getenv, caller(), Thread.currentThread().getContextClassLoader(),
        ManagementFactory.getRuntimeMXBean().getInputArguments());
  }

  /**
   * Plans the worker command.
   *
   * @param env the environment ({@value Backend.Processes#CLASSPATH_ENV})
   * @param caller the application class that opened the pool, or null if there is none
   * @param context the opening thread's context class loader
   * @param parentFlags this JVM's flags
   * @throws PoolStartException if a class the workers need would not be reachable
   */
  static WorkerLaunch of(Backend.Processes config, Function<String, @Nullable String> env, @Nullable Class<?> caller,
      @Nullable ClassLoader context, List<String> parentFlags) {
    Module self = WorkerLaunch.class.getModule();

    // ---- module path ----
    List<String> modulePath = new ArrayList<>(config.modulePath());
    Set<String> roots = new LinkedHashSet<>();
    if (self.isNamed()) {
      parentModules(self, caller, modulePath, roots);
    }
    ModuleFinder moduleFinder;
    try {
      moduleFinder = ModuleFinder.compose(ModuleFinder.ofSystem(), ModuleFinder.of(paths(modulePath).toArray(Path[]::new)));
      for (String entry : config.modulePath()) {
        ModuleFinder.of(Path.of(entry)).findAll().forEach(m -> roots.add(m.descriptor().name()));
      }
    } catch (FindException e) {
      throw new PoolStartException("worker processes cannot start: their module path " + modulePath
          + " is not usable: " + e.getMessage() + ". Fix: correct Backend.processes(n).modulePath(...).", "module path");
    }
    // Roots the worker could not find would stop it at start; the check below names what is then missing.
    roots.removeIf(r -> moduleFinder.find(r).isEmpty());
    boolean moduleWorker = roots.contains(PROCESS_MODULE);
    boolean withModulePath = moduleWorker || !config.modulePath().isEmpty();
    ModuleFinder workerModules = withModulePath ? moduleFinder : ModuleFinder.ofSystem();

    // ---- class path ----
    List<String> explicit = new ArrayList<>(config.classpath());
    String source = "Backend.processes(n).classpath(...)";
    String fromEnv = env.apply(Backend.Processes.CLASSPATH_ENV);
    if (explicit.isEmpty() && fromEnv != null && !fromEnv.isBlank()) {
      for (String e : fromEnv.split(File.pathSeparator, -1)) {
        if (!e.isBlank()) {
          explicit.add(e);
        }
      }
      source = Backend.Processes.CLASSPATH_ENV;
    }
    List<@Nullable ClassLoader> loaders = new ArrayList<>();
    loaders.add(caller == null ? null : caller.getClassLoader());
    loaders.add(context);
    loaders.add(WorkerLaunch.class.getClassLoader());
    WorkerClasspath.Found found;
    try {
      found = WorkerClasspath.detect(loaders, System.getProperty("java.class.path", ""));
    } catch (IOException e) {
      if (explicit.isEmpty()) {
        throw new PoolStartException("worker processes cannot start: the jars nested in this application's jar"
            + " cannot be unpacked for them: " + e.getMessage() + ". Fix: make $XDG_CACHE_HOME (default ~/.cache)"
            + " writable, or give the class path with Backend.processes(n).classpath(...) or "
            + Backend.Processes.CLASSPATH_ENV + ".", "nested jars");
      }
      found = new WorkerClasspath.Found("class path (detection failed: " + e.getMessage() + ")", List.of(), List.of(),
          List.of());
    }
    String mode = self.isNamed() ? "module path" : found.mode();
    if (!explicit.isEmpty()) {
      mode += ", with " + source;
    }
    LinkedHashSet<String> classPath = new LinkedHashSet<>(explicit);
    List<String> own = new ArrayList<>();
    if (!moduleWorker) {
      // unipool's own jars, wherever they are, so that the worker can start even when detection missed them
      for (Class<?> c : ownClasses()) {
        Path where = WorkerClasspath.location(c);
        if (where != null && !listed(classPath, where) && !listed(found.entries(), where) && !listed(own, where)) {
          own.add(where.toString());
        }
      }
    }
    classPath.addAll(own);
    classPath.addAll(found.entries());
    List<String> cp = List.copyOf(classPath);

    // ---- the check ----
    List<Class<?>> required = new ArrayList<>(ownClasses());
    if (caller != null) {
      required.add(caller);
    }
    for (Class<?> c : required) {
      if (!reachable(c, cp, withModulePath ? moduleFinder : null)) {
        String what = c == caller
            ? "the class that opened the pool, " + c.getName() + " (its tasks most likely live beside it),"
            : "unipool's " + c.getName() + ",";
        throw new PoolStartException(
            "worker processes cannot start: " + unreachable(c, what, mode, cp, modulePath, found, source), mode);
      }
    }

    // ---- the command ----
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home", ""), "bin", "java").toString());
    if (!cp.isEmpty()) {
      cmd.add("-cp");
      cmd.add(String.join(File.pathSeparator, cp));
    }
    if (withModulePath) {
      if (!modulePath.isEmpty()) {
        cmd.add("--module-path");
        cmd.add(String.join(File.pathSeparator, modulePath));
      }
      if (!roots.isEmpty()) {
        cmd.add("--add-modules=" + String.join(",", roots));
      }
    }
    List<String> inherited = JvmFlags.inherit(parentFlags, name -> knownModule(name, workerModules));
    cmd.addAll(inherited);
    Class<?> fory = foryClass();
    if (fory != null) {
      // Fory reaches MethodHandles through this opening; without it, it falls back to sun.misc.Unsafe, which
      // JDK 25 warns about. It must name Fory's module as the worker will have it.
      String target = "ALL-UNNAMED";
      String foryModule = fory.getModule().isNamed() ? fory.getModule().getName() : FORY_MODULE;
      if (withModulePath && moduleFinder.find(foryModule).isPresent()) {
        target = foryModule;
      }
      String opens = INVOKE_OPENS + target;
      if (!inherited.contains(opens)) {
        cmd.add(opens);
      }
      if (target.equals("ALL-UNNAMED")) {
        String unsafe = unsafeFlag(WorkerClasspath.location(fory), inherited);
        if (unsafe != null) {
          cmd.add(unsafe);
        }
      }
    }
    String codecMode = System.getProperty(Codec.MODE_PROPERTY);
    if (codecMode != null) {
      cmd.add("-D" + Codec.MODE_PROPERTY + "=" + codecMode); // workers answer in the form the parent chose
    }
    // Small, quick-starting workers by default; the user's flags come last and win.
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:PretenureSizeThreshold=1m"); // big payloads go straight to the old generation, never copied
    // After a collection the heap grows to 70% free, not 40%, and never shrinks. With the defaults, a
    // worker's 8 MB starting heap stayed so tight that every 10 MB payload's array cost a full collection
    // (13-17 ms), and each full collection shrank the heap back to ~30 MB, so the next 100 MB array was placed in
    // fresh memory: the worker's read of a 100 MB payload took 70-120 ms in the bench instead of 8-12.
    // An idle worker's RSS is unchanged (56 MB); one that handled large payloads keeps its high-water
    // heap, as JVM heaps usually do (Backend.Processes#heap caps it, recycleAfter bounds it).
    cmd.add("-XX:MinHeapFreeRatio=70");
    cmd.add("-XX:MaxHeapFreeRatio=100");
    cmd.add("-XX:TieredStopAtLevel=4");
    cmd.add("-XX:-UsePerfData");
    cmd.add("-XX:+ExitOnOutOfMemoryError"); // an OOM kills the worker, which the pool reports and replaces
    if (trimFits(config)) {
      // glibc keeps what the JIT compilers' bursts freed (some 5 MB of an idle worker's 53 MB RSS after its
      // first 2,000 tasks); a periodic trim gives it back, at microseconds per trim with nothing to return.
      cmd.add(NATIVE_TRIM);
    }
    if (smallInitialHeapFits(config)) {
      // The JDK's initial heap is 1/64 of the machine's memory (384 MB on 24 GB); a worker touches its
      // young generation across all of it before the first collection, and the pages stay resident.
      // But not smaller than 64 MB: the serial collector sizes the young generation (a third of the heap)
      // only at a full collection, and the old generation grows by expanding instead, so a worker started
      // at 8 MB kept a 2.5 MB young generation while its heap grew to 360 MB. Each 65,536-item map chunk
      // (about 2 MB of boxed results) then cost several young collections that promoted the chunk's live
      // results: some 300 collections, a second of pauses, per worker per 30 maps of a million items.
      // From 64 MB: a 1 M-item map 66-74 ms -> 31-48 ms, for 0-6 MB more RSS in an idle worker.
      cmd.add(SMALL_INITIAL_HEAP);
    }
    if (config.heap() != null) {
      cmd.add("-Xmx" + config.heap());
    }
    cmd.addAll(config.jvmArgs());
    return new WorkerLaunch(mode, List.copyOf(cmd), cp, List.copyOf(modulePath),
        withModulePath ? moduleFinder : null, found, source, config.startupCache(), config.jvmArgs());
  }

  private static final long SMALL_INITIAL_HEAP_BYTES = 64L << 20;
  static final String SMALL_INITIAL_HEAP = "-Xms" + (SMALL_INITIAL_HEAP_BYTES >> 20) + "m";
  static final String NATIVE_TRIM = "-XX:TrimNativeHeapInterval=2000";
  /** The user's flags that size the heap or its young generation: with one, the small initial heap stays out. */
  private static final List<String> HEAP_SIZE_FLAGS = List.of("-Xms", "-Xmx", "-Xmn", "-XX:InitialHeapSize",
      "-XX:MaxHeapSize", "-XX:MinHeapSize", "-XX:MaxRAM", "-XX:NewSize", "-XX:MaxNewSize");

  /** Whether the native heap trim goes in: on Linux (glibc), unless the user's flags set it themselves. */
  static boolean trimFits(Backend.Processes config) {
    return System.getProperty("os.name", "").startsWith("Linux")
        && config.jvmArgs().stream().noneMatch(a -> a.startsWith("-XX:TrimNativeHeapInterval"));
  }

  /**
   * Whether the small initial heap can go in: not when the user sizes the heap in their own flags (theirs
   * come later and would win for {@code -Xms}, but an {@code -Xmx} below 64 MB would conflict), nor its
   * young generation (one as large as 64 MB leaves no old generation for the startup cache's archived
   * objects, and the JDK then refuses to start), nor when {@link Backend.Processes#heap} is below 64 MB.
   */
  static boolean smallInitialHeapFits(Backend.Processes config) {
    if (config.jvmArgs().stream().anyMatch(a -> HEAP_SIZE_FLAGS.stream().anyMatch(a::startsWith))) {
      return false;
    }
    String heap = config.heap();
    if (heap == null) {
      return true;
    }
    char unit = Character.toLowerCase(heap.charAt(heap.length() - 1));
    long n = Long.parseLong(Character.isDigit(unit) ? heap : heap.substring(0, heap.length() - 1));
    long bytes = switch (unit) {
      case 'k' -> n << 10;
      case 'm' -> n << 20;
      case 'g' -> n << 30;
      default -> n;
    };
    return bytes >= SMALL_INITIAL_HEAP_BYTES;
  }

  // ---- modules ----

  /** This JVM's module path and the root modules that make a worker resolve the same modules. */
  private static void parentModules(Module self, @Nullable Class<?> caller, List<String> modulePath, Set<String> roots) {
    String mp = System.getProperty("jdk.module.path", "");
    for (String e : mp.split(File.pathSeparator, -1)) {
      if (!e.isEmpty()) {
        modulePath.add(e);
      }
    }
    roots.add(PROCESS_MODULE);
    String main = System.getProperty("jdk.module.main");
    if (main != null && !main.isEmpty()) {
      roots.add(main);
    }
    if (caller != null && caller.getModule().isNamed()) {
      roots.add(caller.getModule().getName());
    }
    // A layer the application built itself: its modules are on no command line, so name their files.
    for (ModuleLayer layer = self.getLayer(); layer != null && layer != ModuleLayer.boot();
        layer = layer.parents().isEmpty() ? null : layer.parents().getFirst()) {
      for (ResolvedModule m : layer.configuration().modules()) {
        URI location = m.reference().location().orElse(null);
        if (location != null && "file".equals(location.getScheme())) {
          modulePath.add(Path.of(location).toString());
          roots.add(m.name());
        }
      }
    }
  }

  private static boolean knownModule(String name, ModuleFinder workerModules) {
    return name.equals("ALL-UNNAMED") || name.equals("ALL-DEFAULT") || name.equals("ALL-SYSTEM")
        || name.equals("ALL-MODULE-PATH") || workerModules.find(name).isPresent();
  }

  // ---- Fory in a shaded jar ----

  /**
   * A flag for a class path worker whose Fory comes from a jar without {@code Multi-Release: true} (a
   * shaded jar: maven-shade-plugin writes a manifest of its own). The JDK then loads Fory's Java 8 classes,
   * which use {@code sun.misc.Unsafe} whatever the openings, and JDK 25 warns on every worker's stderr;
   * the worker runs the same classes as this JVM, so it is told to allow them quietly. (The JDK has no
   * switch to read such a jar as multi-release: {@code -Djdk.util.jar.enableMultiRelease=force} only
   * fixes the version of jars that declare it.)
   */
  private static @Nullable String unsafeFlag(@Nullable Path foryJar, List<String> inherited) {
    if (foryJar == null || !Files.isRegularFile(foryJar)
        || inherited.stream().anyMatch(f -> f.startsWith("--sun-misc-unsafe-memory-access="))) {
      return null;
    }
    try (JarFile jar = new JarFile(foryJar.toFile(), false)) {
      Manifest m = jar.getManifest();
      if (m != null && "true".equalsIgnoreCase(m.getMainAttributes().getValue(Attributes.Name.MULTI_RELEASE))) {
        return null;
      }
    } catch (IOException e) {
      return null; // unreadable here, unreadable for the worker too: it will say so itself
    }
    return "--sun-misc-unsafe-memory-access=allow";
  }

  // ---- the check ----

  private static List<Class<?>> ownClasses() {
    List<Class<?>> own = new ArrayList<>(List.of(WorkerMain.class, Codec.class));
    Class<?> fory = foryClass();
    if (fory != null) {
      own.add(fory);
    }
    return own;
  }

  private static @Nullable Class<?> foryClass() {
    try {
      return Class.forName(FORY_CLASS, false, Codec.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null; // the codec then sends Java serialization only
    }
  }

  /** Whether a worker with this class path (and module path, for a module worker) can load {@code c}. */
  private static boolean reachable(Class<?> c, List<String> cp, @Nullable ModuleFinder modules) {
    if (modules != null && c.getModule().isNamed() && modules.find(c.getModule().getName()).isPresent()) {
      return true;
    }
    Path where = WorkerClasspath.location(c);
    if (where != null) {
      if (listed(cp, where)) {
        return true; // the common case: no jar needs opening
      }
      if (expanded(cp).contains(where.toAbsolutePath().normalize())) {
        return true;
      }
    }
    // Last resort, for classes whose code source says little: look the class file up as the worker would.
    List<URL> urls = new ArrayList<>();
    for (Path p : expanded(cp)) {
      try {
        urls.add(p.toUri().toURL());
      } catch (MalformedURLException e) {
        // skip
      }
    }
    try (URLClassLoader probe = new URLClassLoader(urls.toArray(URL[]::new), null)) {
      return probe.findResource(c.getName().replace('.', '/') + ".class") != null;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether {@code path} is one of the entries, however each is written (relative, with {@code ..}). */
  private static boolean listed(Collection<String> entries, Path path) {
    Path abs = path.toAbsolutePath().normalize();
    for (String e : entries) {
      if (Path.of(e).toAbsolutePath().normalize().equals(abs)) {
        return true;
      }
    }
    return false;
  }

  /** The class path's entries as absolute paths, {@code DIR/*} expanded, jars' manifest Class-Path followed. */
  private static Set<Path> expanded(List<String> cp) {
    return EXPANDED.computeIfAbsent(cp, k -> {
      Set<Path> out = new LinkedHashSet<>();
      for (String e : k) {
        if (e.equals("*") || e.endsWith(File.separator + "*")) {
          Path dir = Path.of(e.substring(0, e.length() - 1) + ".").toAbsolutePath().normalize();
          try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.{jar,JAR}")) {
            jars.forEach(j -> addWithManifest(j, out));
          } catch (IOException ex) {
            // a missing directory adds nothing, as for java -cp
          }
        } else {
          addWithManifest(Path.of(e).toAbsolutePath().normalize(), out);
        }
      }
      return Set.copyOf(out);
    });
  }

  private static void addWithManifest(Path p, Set<Path> out) {
    if (!out.add(p) || !Files.isRegularFile(p)) {
      return;
    }
    String classPath;
    try (JarFile jar = new JarFile(p.toFile(), false)) {
      Manifest m = jar.getManifest();
      classPath = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
    } catch (IOException e) {
      return;
    }
    if (classPath == null) {
      return;
    }
    Path dir = p.getParent();
    for (String ref : classPath.trim().split("\\s+", -1)) {
      if (ref.isEmpty()) {
        continue;
      }
      try {
        URI uri = dir == null ? URI.create(ref) : dir.toUri().resolve(ref);
        if ("file".equals(uri.getScheme())) {
          addWithManifest(Path.of(uri).normalize(), out);
        }
      } catch (IllegalArgumentException e) {
        // an entry the JDK would skip too
      }
    }
  }

  /** Says that {@code what} would be missing in the workers, what was tried, and the one-line fix. */
  private static String unreachable(Class<?> c, String what, String mode, List<String> cp,
      List<String> modulePath, WorkerClasspath.Found found, String source) {
    Path where = WorkerClasspath.location(c);
    StringBuilder m = new StringBuilder(what)
        .append(" would not be on their class path");
    if (where != null) {
      m.append(" (it was loaded from ").append(where).append(')');
    }
    m.append(".\n  launch mode: ").append(mode).append('.');
    m.append("\n  tried: class path ").append(abbreviate(cp));
    List<String> from = new ArrayList<>(found.sources());
    if (!from.isEmpty()) {
      m.append(" (read from ").append(String.join(", ", from)).append(')');
    }
    if (!modulePath.isEmpty()) {
      m.append("; module path ").append(abbreviate(modulePath));
    }
    if (!found.unlisted().isEmpty()) {
      m.append("; could not read ").append(String.join(", ", found.unlisted()));
    }
    m.append(".\n  fix: ");
    String entry = where == null ? "<the jar or directory that holds " + c.getName() + ">" : where.toString();
    m.append("Backend.processes(n).classpath(\"").append(entry).append("\"), or without a rebuild ")
        .append(Backend.Processes.CLASSPATH_ENV).append('=').append(entry);
    if (source.equals(Backend.Processes.CLASSPATH_ENV)) {
      m.append(" (added to what it holds now)");
    }
    m.append('.');
    return m.toString();
  }

  private static String abbreviate(List<String> entries) {
    if (entries.size() <= 6) {
      return entries.toString();
    }
    return entries.subList(0, 6) + " and " + (entries.size() - 6) + " more";
  }

  // ---- the application class that opened the pool ----

  /**
   * The first class on this thread's stack that is neither the JDK's nor unipool's: the application's class
   * that opened the pool. Its class loader is where its tasks' classes are most likely to be. Classes with
   * no code source (generated proxies) say nothing about that and are passed over.
   */
  static @Nullable Class<?> caller() {
    String core = codeSource(Pool.class);
    String process = codeSource(WorkerLaunch.class);
    return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
        .map(StackWalker.StackFrame::getDeclaringClass)
        .filter(c -> {
          ClassLoader l = c.getClassLoader();
          if (l == null || l == ClassLoader.getPlatformClassLoader() || c.isHidden()) {
            return false;
          }
          String cs = codeSource(c);
          return cs != null && !cs.equals(core) && !cs.equals(process);
        })
        .findFirst()
        .orElse(null));
  }

  private static @Nullable String codeSource(Class<?> c) {
    CodeSource cs = c.getProtectionDomain().getCodeSource();
    URL url = cs == null ? null : cs.getLocation();
    return url == null ? null : url.toString();
  }

  private static List<Path> paths(List<String> entries) {
    List<Path> out = new ArrayList<>();
    for (String e : entries) {
      out.add(Path.of(e));
    }
    return out;
  }

  @Override
  public String toString() {
    return mode + ": " + command;
  }
}
