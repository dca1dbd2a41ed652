package dev.unipool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link Pool} runs its tasks: an immutable configuration value, chosen once and passed to
 * {@link Pool#of(Backend)}. Switching backends changes nothing else in the calling code.
 *
 * <p>Create instances with the static factories; each validates its arguments at the call. Backends are
 * also named by a short text form, used by {@link #parse(String)} and {@code UNIPOOL_BACKEND}:
 * {@code inline}, {@code threads[:N]}, {@code virtual}, {@code processes[:N]}, {@code auto},
 * {@code cluster:[NAME@]HOST:PORT[,HOST:PORT...]}.
 * {@code toString()} returns that form (for the options a text form can carry).
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public sealed interface Backend
    permits Backend.Inline, Backend.Threads, Backend.Virtual, Backend.Processes, Backend.Cluster, Backend.Auto {

  /**
   * Runs every task in the submitting thread, before {@code submit} returns. Useful for debugging and as
   * a baseline; it offers no concurrency, so a task cannot be cancelled or timed out while it runs except
   * by interrupting the submitting thread (which is what a task timeout does).
   *
   * @return the inline backend
   */
  static Backend inline() {
    return Inline.INSTANCE;
  }

  /**
   * Runs tasks on a fixed number of platform threads (the counterpart of Python's
   * {@code ThreadPoolExecutor(max_workers=n)}). Threads start on demand and are daemon threads: a pool
   * nobody closed does not keep the JVM alive, and tasks still running when the JVM exits are abandoned
   * (close the pool, for example with try-with-resources, to wait for them).
   *
   * @param threads the number of worker threads, at least 1
   * @return the backend
   * @throws IllegalArgumentException if {@code threads < 1}
   */
  static Backend threads(int threads) {
    return new Threads(threads);
  }

  /**
   * Runs tasks on platform threads, one per available processor.
   *
   * @return the backend
   */
  static Backend threads() {
    return new Threads(Runtime.getRuntime().availableProcessors());
  }

  /**
   * Runs each task on its own virtual thread: the counterpart of asyncio's "do more at once while
   * waiting", without colouring functions. Best for tasks that mostly wait (I/O, sleeps, locks).
   * Virtual threads are not time-sliced: long CPU-bound tasks here can delay every other virtual thread.
   *
   * @return the virtual-thread backend
   */
  static Backend virtual() {
    return Virtual.INSTANCE;
  }

  /**
   * Runs tasks in {@code workers} worker JVMs started from this JVM's own {@code java} and class path, each
   * with its own process id: the counterpart of Python's {@code ProcessPoolExecutor}. Tasks and results
   * cross the process boundary by serialization, so tasks must be {@link java.io.Serializable} (a
   * non-serializable task fails at {@code submit}, in the caller) and share no memory with the caller.
   * A task is encoded at {@code submit}, except the byte arrays of 64 KiB or more it holds: they are
   * copied straight from the caller's arrays when the task is sent (and again if it is re-sent after a
   * crash), so, as with a thread pool, do not modify them until the task's future completes.
   * A worker that crashes fails only its running task and is replaced. Needs the
   * {@code dev.unipool:unipool-process} module on the class path. Further settings:
   * {@link Processes#heap(String)}, {@link Processes#jvmArgs(String...)},
   * {@link Processes#initializer(SerializableRunnable)}, {@link Processes#recycleAfter(int)},
   * {@link Processes#output(Processes.Output)}, {@link Processes#killGrace(Duration)},
   * {@link Processes#allowClasses(String...)}, {@link Processes#classpath(String...)},
   * {@link Processes#modulePath(String...)}.
   *
   * <p>Workers find the classes where this JVM really has them, whichever way it was launched: the class
   * path, a {@link java.net.URLClassLoader} such as Maven's {@code exec:java}, a Spring Boot executable jar
   * (its nested jars are unpacked once into a per-user cache), or the module path. Before the first worker
   * starts, the pool checks that unipool's worker and the class that opened the pool are reachable there,
   * and otherwise fails with a {@link PoolStartException} that says what it detected and how to fix it.
   *
   * @param workers the number of worker processes, at least 1
   * @return the backend
   * @throws IllegalArgumentException if {@code workers < 1}
   */
  static Processes processes(int workers) {
    return new Processes(workers, null, List.of(), null, 0, Processes.Output.PREFIX,
        Processes.DEFAULT_KILL_GRACE, List.of(), List.of(), List.of(), true);
  }

  /**
   * Worker processes, one per available processor; see {@link #processes(int)}.
   *
   * @return the backend
   */
  static Processes processes() {
    return processes(Runtime.getRuntime().availableProcessors());
  }

  /**
   * Runs tasks on the members of a Hazelcast cluster, connecting as a client to the given member
   * addresses (start members with {@code unipool member}). Tasks travel serialized, as with
   * {@link #processes(int)}. Needs the {@code dev.unipool:unipool-hazelcast} module on the class path.
   * Close the pool when done: Hazelcast's client threads are not daemon threads, so unlike the other
   * backends an unclosed cluster pool keeps the JVM alive.
   *
   * <p>The cluster name is the only thing that keeps others from running code on the members, so it is a
   * secret: without {@link Cluster#clusterName(String)}, the pool uses the one {@code unipool member}
   * generated for this user, read from {@link Cluster#nameFile()} when the pool opens.
   *
   * @param addresses one or more member addresses, {@code host:port}
   * @return the backend
   * @throws IllegalArgumentException if no address is given or one is not {@code host:port}
   */
  static Cluster cluster(String... addresses) {
    return new Cluster(List.of(addresses), null, Cluster.DEFAULT_CONNECT_TIMEOUT, 0);
  }

  /**
   * Lets unipool decide, per kind of task: the "even better if it could figure out which to do" backend.
   * A task's kind is its class (for a lambda, its call site) or {@link TaskOptions#withKind an explicit
   * key}. The first task of a new kind runs on a platform thread where its CPU time can be measured;
   * kinds that mostly wait then run on virtual threads, kinds that mostly compute on a platform pool
   * sized to the cores (so they cannot starve the virtual threads' carriers), and kinds hinted
   * {@link Hint#ISOLATED} (or CPU-bound kinds with a timeout, which only a process can enforce) in worker
   * processes when {@code unipool-process} is present. {@link Hint}s always win; kinds are re-measured
   * as they run and re-routed when they change. {@link Pool#explain()} says why each kind went where.
   * Its threads are daemon threads, as with {@link #threads(int)}: an unclosed pool does not keep the JVM
   * alive.
   *
   * @return the backend
   */
  static Auto auto() {
    return new Auto(Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors());
  }

  /**
   * Parses the text form of a backend, as used by {@code UNIPOOL_BACKEND}: {@code inline},
   * {@code threads} (one per processor), {@code threads:N}, {@code virtual}, {@code processes},
   * {@code processes:N}, {@code auto}, {@code cluster:[NAME@]HOST:PORT[,HOST:PORT...]} (NAME: the
   * members' cluster name; without it, this user's, see {@link #cluster(String...)}). Case is ignored,
   * except in the cluster name.
   *
   * @param spec the text form
   * @return the backend it names
   * @throws IllegalArgumentException if {@code spec} names no known backend; the message lists the valid forms
   */
  static Backend parse(String spec) {
    return BackendText.parse(spec);
  }

  /** The text forms {@link #parse(String)} accepts, for error messages and help text. */
  String VALID_FORMS = "inline, threads, threads:N, virtual, processes, processes:N (N >= 1), auto,"
      + " cluster:[NAME@]HOST:PORT[,HOST:PORT...]";

  /**
   * The number of tasks this backend can run at the same time, used to size chunks and in-flight
   * windows; {@link Integer#MAX_VALUE} where there is no fixed limit.
   *
   * @return the parallelism, at least 1
   */
  int parallelism();

  /** Configuration of {@link Backend#inline()}. */
  record Inline() implements Backend {
    static final Inline INSTANCE = new Inline();

    @Override
    public int parallelism() {
      return 1;
    }

    @Override
    public String toString() {
      return "inline";
    }
  }

  /**
   * Configuration of {@link Backend#threads(int)}.
   *
   * @param threads the number of platform worker threads, at least 1
   */
  record Threads(int threads) implements Backend {
    /**
     * Validates the thread count.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public Threads {
      BackendChecks.atLeastOne(threads, "threads");
    }

    @Override
    public int parallelism() {
      return threads;
    }

    @Override
    public String toString() {
      return "threads:" + threads;
    }
  }

  /** Configuration of {@link Backend#virtual()}. */
  record Virtual() implements Backend {
    static final Virtual INSTANCE = new Virtual();

    @Override
    public int parallelism() {
      return Integer.MAX_VALUE;
    }

    @Override
    public String toString() {
      return "virtual";
    }
  }

  /**
   * Configuration of {@link Backend#processes(int)}. Immutable; each {@code with}-style method returns a copy.
   *
   * @param workers the number of worker processes, at least 1
   * @param heap the maximum heap of each worker in {@code -Xmx} syntax (e.g. {@code "256m"}), or null for the JVM default
   * @param jvmArgs extra JVM flags for each worker
   * @param initializer run once in each worker before its first task, or null
   * @param recycleAfter replace a worker after it ran this many tasks; 0 never
   * @param output what happens to the workers' stdout and stderr
   * @param killGrace how long a cancelled or timed-out task may take to react to its interrupt before its
   *     worker is killed and replaced
   * @param allowClasses class-name patterns (as in {@link java.io.ObjectInputFilter.Config#createFilter}, e.g.
   *     {@code com.example.**}) that tasks, results and exceptions may contain besides the JDK's value types
   *     and unipool's own; empty allows every class on the class path except known deserialization gadgets
   * @param classpath class path entries for the workers, in front of what unipool detects (when empty,
   *     {@value #CLASSPATH_ENV}'s entries if it is set)
   * @param modulePath module path entries for the workers, in front of what unipool detects
   * @param startupCache whether workers start from a JDK AOT cache that unipool records and keeps (see
   *     {@link #startupCache(boolean)})
   */
  record Processes(int workers, @Nullable String heap, List<String> jvmArgs, @Nullable SerializableRunnable initializer,
      int recycleAfter, Output output, Duration killGrace, List<String> allowClasses, List<String> classpath,
      List<String> modulePath, boolean startupCache) implements Backend {

    /**
     * The system property that, set to {@code false}, turns the workers' startup cache off in this JVM
     * whatever {@link #startupCache(boolean)} says.
     */
    public static final String STARTUP_CACHE_PROPERTY = "unipool.startupCache";

    /**
     * The system property that moves the startup cache's directory (default
     * {@code $XDG_CACHE_HOME/unipool/startup}, or {@code ~/.cache/unipool/startup}).
     */
    public static final String STARTUP_CACHE_DIR_PROPERTY = "unipool.startupCache.dir";

    /**
     * The configuration as it was before {@link #startupCache} existed, with the startup cache on.
     *
     * @param workers see {@link #workers}
     * @param heap see {@link #heap}
     * @param jvmArgs see {@link #jvmArgs}
     * @param initializer see {@link #initializer}
     * @param recycleAfter see {@link #recycleAfter}
     * @param output see {@link #output}
     * @param killGrace see {@link #killGrace}
     * @param allowClasses see {@link #allowClasses}
     * @param classpath see {@link #classpath}
     * @param modulePath see {@link #modulePath}
     * @throws IllegalArgumentException as the canonical constructor
     */
    public Processes(int workers, @Nullable String heap, List<String> jvmArgs,
        @Nullable SerializableRunnable initializer, int recycleAfter, Output output,
        Duration killGrace, List<String> allowClasses, List<String> classpath,
        List<String> modulePath) {
      this(workers, heap, jvmArgs, initializer, recycleAfter, output, killGrace, allowClasses, classpath, modulePath,
          true);
    }

    /**
     * The environment variable whose entries are added to the workers' class path when {@link #classpath}
     * is empty, in {@code java -cp} syntax: entries separated by {@link java.io.File#pathSeparator}, {@code DIR/*}
     * for every jar in a directory.
     */
    public static final String CLASSPATH_ENV = "UNIPOOL_WORKER_CLASSPATH";

    /** The default {@link #killGrace}: one second. */
    public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(1);

    /** Where a worker's standard output and error go. */
    public enum Output {
      /** Forwarded line by line to this JVM's stdout/stderr, prefixed with the worker's name: {@code [worker-2] ...}. */
      PREFIX,
      /** Written straight to this JVM's stdout/stderr (fastest; no prefix, and crash reports lack the stderr tail). */
      INHERIT,
      /** Dropped, except the last lines of stderr, kept for crash reports. */
      DISCARD
    }

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if a number is out of range or the heap size is malformed
     */
    public Processes {
      BackendChecks.processes(workers, heap, recycleAfter, output, killGrace);
      jvmArgs = List.copyOf(jvmArgs);
      allowClasses = List.copyOf(allowClasses);
      classpath = BackendText.pathEntries(classpath, "classpath");
      modulePath = BackendText.pathEntries(modulePath, "modulePath");
    }

    /**
     * Sets each worker's maximum heap. A worker's heap starts small and grows as its tasks need; it does
     * not shrink again (so the next large payload finds its memory ready), so one that handled large
     * payloads keeps that memory until it exits: cap it here, or bound it with {@link #recycleAfter(int)}.
     *
     * @param heap in {@code -Xmx} syntax, e.g. {@code "512m"}
     * @return a copy with that heap
     * @throws IllegalArgumentException if malformed
     */
    public Processes heap(String heap) {
      return new Processes(workers, heap, jvmArgs, initializer, recycleAfter, output, killGrace, allowClasses,
          classpath, modulePath, startupCache);
    }

    /**
     * Adds JVM flags for each worker (after the flags copied from this JVM).
     *
     * @param args flags such as {@code -XX:+UseSerialGC}
     * @return a copy with those flags
     */
    public Processes jvmArgs(String... args) {
      return new Processes(workers, heap, List.of(args), initializer, recycleAfter, output, killGrace,
          allowClasses, classpath, modulePath, startupCache);
    }

    /**
     * Sets code to run once in each worker before its first task (Python's {@code initializer}). If it
     * throws, the pool is broken: waiting tasks fail and later submits are rejected, naming the cause.
     *
     * @param initializer a serializable action
     * @return a copy with that initializer
     */
    public Processes initializer(SerializableRunnable initializer) {
      return new Processes(workers, heap, jvmArgs, Objects.requireNonNull(initializer, "initializer"),
          recycleAfter, output, killGrace, allowClasses, classpath, modulePath, startupCache);
    }

    /**
     * Replaces each worker after it has run {@code tasks} tasks (Python's {@code maxtasksperchild}), to
     * bound leaks in task code.
     *
     * @param tasks at least 1
     * @return a copy with recycling
     * @throws IllegalArgumentException if {@code tasks < 1}
     */
    public Processes recycleAfter(int tasks) {
      if (tasks < 1) {
        throw new IllegalArgumentException("recycleAfter must be at least 1, got " + tasks);
      }
      return new Processes(workers, heap, jvmArgs, initializer, tasks, output, killGrace, allowClasses, classpath,
          modulePath, startupCache);
    }

    /**
     * Sets where the workers' stdout and stderr go.
     *
     * @param output the mode
     * @return a copy with that mode
     */
    public Processes output(Output output) {
      return new Processes(workers, heap, jvmArgs, initializer, recycleAfter, output, killGrace, allowClasses,
          classpath, modulePath, startupCache);
    }

    /**
     * Sets how long a cancelled or timed-out task may take to stop after its interrupt before its worker
     * is killed.
     *
     * @param grace not negative
     * @return a copy with that grace period
     */
    public Processes killGrace(Duration grace) {
      return new Processes(workers, heap, jvmArgs, initializer, recycleAfter, output, grace, allowClasses, classpath,
          modulePath, startupCache);
    }

    /**
     * Restricts deserialization to the JDK's value types, unipool's own classes and these patterns.
     *
     * @param patterns e.g. {@code "com.example.**"} (a package and its subpackages) or {@code "com.example.*"}
     * @return a copy with that allow-list
     */
    public Processes allowClasses(String... patterns) {
      return new Processes(workers, heap, jvmArgs, initializer, recycleAfter, output, killGrace,
          List.of(patterns), classpath, modulePath, startupCache);
    }

    /**
     * Adds entries to the workers' class path, for classes unipool cannot find by itself (a class loader
     * that does not list its jars, classes generated at run time into a directory). They go in front of
     * what unipool detects, so their classes win. Also settable without a rebuild through
     * {@value #CLASSPATH_ENV}; this setting, when given, wins over the variable.
     *
     * @param entries jars and class directories as for {@code java -cp}; an entry may hold several paths
     *     separated by {@link java.io.File#pathSeparator}, and {@code DIR/*} means every jar in {@code DIR}
     * @return a copy with those entries
     * @throws IllegalArgumentException if an entry is blank
     */
    public Processes classpath(String... entries) {
      return new Processes(workers, heap, jvmArgs, initializer, recycleAfter, output, killGrace, allowClasses,
          List.of(entries), modulePath, startupCache);
    }

    /**
     * Adds entries to the workers' module path (in front of the one detected when this JVM runs unipool on
     * the module path), and resolves every module in them. Workers run on the module path when
     * {@code dev.unipool.process} is on it, otherwise on the class path with these modules added.
     *
     * @param entries modular jars and directories of them, as for {@code java --module-path}; an entry may
     *     hold several paths separated by {@link java.io.File#pathSeparator}
     * @return a copy with those entries
     * @throws IllegalArgumentException if an entry is blank
     */
    public Processes modulePath(String... entries) {
      return new Processes(workers, heap, jvmArgs, initializer, recycleAfter, output, killGrace, allowClasses,
          classpath, List.of(entries), startupCache);
    }

    /**
     * Turns the workers' startup cache on (the default) or off. With it on, the first pool of a given
     * worker class path and JDK records a JDK AOT cache (JEP 483) with its first worker, which writes it as
     * it exits (that pool's close then takes a moment longer, and the cache is finished in the background);
     * later pools, in this JVM or any other of the same user, start their workers from it. The cache is
     * kept per user in {@code $XDG_CACHE_HOME/unipool/startup} (or {@code ~/.cache/unipool/startup}; moved
     * by {@value #STARTUP_CACHE_DIR_PROPERTY}), one file per JDK, class path and set of flags; deleting it
     * is always safe. It is skipped, with a debug log line, where the JDK cannot use one: a class path with
     * directories, workers on the module path, or {@link #jvmArgs} that choose an AOT or CDS archive
     * themselves. A cache the JDK refuses is ignored without a message and replaced; one it refuses by ending
     * the JVM ("Unable to use AOT cache", with flags that leave no old generation for its archived objects)
     * costs those workers one restart without it, and is marked failed for later pools. The system property
     * {@value #STARTUP_CACHE_PROPERTY}{@code =false} turns it off for every pool of a JVM.
     *
     * @param on whether to use the startup cache
     * @return a copy with that setting
     */
    public Processes startupCache(boolean on) {
      return new Processes(workers, heap, jvmArgs, initializer, recycleAfter, output, killGrace, allowClasses,
          classpath, modulePath, on);
    }

    @Override
    public int parallelism() {
      return workers;
    }

    @Override
    public String toString() {
      return "processes:" + workers;
    }
  }

  /**
   * Configuration of {@link Backend#cluster(String...)}. Immutable.
   *
   * <p>Hazelcast open source has no authentication: whoever can reach a member and knows its cluster name
   * can run code on it, so the name is a secret. {@code unipool member} generates a random one per user
   * and keeps it in {@link #nameFile()}, readable by that user only; a backend without an explicit name
   * reads it from there when its pool opens (so a pool of the same user on the same machine needs no
   * configuration). Elsewhere pass the name: {@link #clusterName(String)},
   * {@code cluster:NAME@HOST:PORT}, or a copy of the file.
   *
   * @param addresses member addresses to connect to, {@code host:port}
   * @param clusterName the Hazelcast cluster name the members use; null for this user's, from
   *     {@link #nameFile()}. Never part of {@link #toString()}.
   * @param connectTimeout how long to try to reach a member before {@code Pool.of} fails
   * @param parallelism tasks the cluster runs at once, for sizing map chunks; 0 asks the cluster
   */
  record Cluster(List<String> addresses, @Nullable String clusterName, Duration connectTimeout, int parallelism)
      implements Backend {
    /**
     * The cluster name members used by default before names became secrets.
     *
     * @deprecated members now generate a secret name per user (see {@link #nameFile()}); a well-known name
     *     lets anyone who can reach a member run code on it. Pass a name only with
     *     {@link #clusterName(String)}.
     */
    @Deprecated
    public static final String DEFAULT_NAME = "unipool";

    /** The default {@link #connectTimeout}: ten seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The system property that moves {@link #nameFile()}, for members and pools alike (e.g. per project,
     * or for tests).
     */
    public static final String NAME_FILE_PROPERTY = "unipool.cluster.nameFile";

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if there is no address, one is malformed, the name is blank, or a
     *     number is out of range
     */
    public Cluster {
      addresses = List.copyOf(addresses);
      BackendChecks.cluster(addresses, clusterName, connectTimeout, parallelism);
    }

    /**
     * Sets the cluster name.
     *
     * @param name the name the members were started with
     * @return a copy with that name
     * @throws IllegalArgumentException if the name is blank
     */
    public Cluster clusterName(String name) {
      return new Cluster(addresses, Objects.requireNonNull(name, "name"), connectTimeout, parallelism);
    }

    /**
     * Sets how long {@code Pool.of} tries to reach a member.
     *
     * @param timeout positive
     * @return a copy with that timeout
     */
    public Cluster connectTimeout(Duration timeout) {
      return new Cluster(addresses, clusterName, timeout, parallelism);
    }

    /**
     * Where {@code unipool member} keeps this user's cluster name, and where a backend without
     * {@link #clusterName(String)} reads it: the system property {@value #NAME_FILE_PROPERTY} if set,
     * else {@code $XDG_CONFIG_HOME/unipool/cluster-name}, else {@code ~/.config/unipool/cluster-name}.
     *
     * @return the path (the file may not exist yet)
     */
    public static Path nameFile() {
      return ClusterNames.nameFile();
    }

    /**
     * The name to connect with: {@link #clusterName()} if set, else the one in {@link #nameFile()}.
     *
     * @return the cluster name
     * @throws IllegalStateException if no name was set and the file is missing, empty, unreadable, or
     *     readable by other users; the message says what to do
     */
    public String resolvedClusterName() {
      String name = clusterName;
      return name != null ? name : ClusterNames.read(addresses);
    }

    @Override
    public int parallelism() {
      return parallelism > 0 ? parallelism : 4 * addresses.size();
    }

    /** The text form without the cluster name, which is a secret: {@code cluster:HOST:PORT,...}. */
    @Override
    public String toString() {
      return "cluster:" + String.join(",", addresses);
    }
  }

  /**
   * Configuration of {@link Backend#auto()}.
   *
   * @param cpuThreads platform threads for CPU-bound kinds, at least 1
   * @param isolatedWorkers worker processes for isolated kinds (started on first use), at least 1
   */
  record Auto(int cpuThreads, int isolatedWorkers) implements Backend {
    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if a count is below 1
     */
    public Auto {
      BackendChecks.atLeastOne(cpuThreads, "cpuThreads");
      BackendChecks.atLeastOne(isolatedWorkers, "isolatedWorkers");
    }

    /** No fixed limit: I/O-bound kinds run on as many virtual threads as there are tasks. */
    @Override
    public int parallelism() {
      return Integer.MAX_VALUE;
    }

    @Override
    public String toString() {
      return "auto";
    }
  }
}
