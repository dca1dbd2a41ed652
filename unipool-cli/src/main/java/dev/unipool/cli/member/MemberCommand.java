package dev.unipool.cli.member;

import dev.unipool.cli.UsageException;
import java.io.File;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code unipool member}: starts a Hazelcast member that runs the tasks of {@code --backend cluster:...}
 * pools, in a JVM of its own whose class path is this command's (unipool and the demos) followed by the
 * user's {@code --classpath}, so that tasks whose classes live in the user's jars run there.
 *
 * <p>The member JVM is started with the same {@code java} and the JVM flags that matter to it (module
 * openings, heap, {@code -D} properties), its output is forwarded line by line, it is stopped when this
 * command is interrupted or its JVM exits (Ctrl-C, SIGTERM), and it stops by itself if this JVM dies
 * without a chance to stop it (it watches its stdin). The command returns the member JVM's exit code.
 */
@Command(
    name = "member",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Starts a cluster member that runs unipool tasks, and stays up until interrupted (Ctrl-C).",
      "Whoever reaches its port and knows its cluster name can run code in it (Hazelcast open source has no"
          + " authentication). So it binds to 127.0.0.1 (another address needs --insecure-allow-network), its"
          + " cluster name is a secret generated for you in ~/.config/unipool/cluster-name (private to you;"
          + " pools and members you start read it there), and it runs only unipool's tasks.",
      "It joins only the --join members (TCP/IP, no multicast) and never phones home. Pools reach it with"
          + " --backend cluster --join HOST:PORT (elsewhere: --join NAME@HOST:PORT).",
      "The member runs in a JVM of its own with unipool's class path followed by --classpath, so tasks"
          + " whose classes are in your jars run there (the pool's side needs them too)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped",
      "1:could not start",
      "2:usage error (a bad option, a missing --classpath entry, the port in use)",
      "other:the member JVM's own exit code (e.g. 137 if it was killed)"
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  unipool member --port 5801",
      "  unipool member --port 5802 --join 127.0.0.1:5801",
      "  unipool member --bind 10.0.0.5 --insecure-allow-network   (only on a network you trust)",
      "  unipool member --port 5801 --classpath build/libs/app.jar:lib/*",
      "  UNIPOOL_CLASSPATH=app.jar unipool member --port 5801",
      "  unipool demo titles --backend cluster --join 127.0.0.1:5801"
    })
public final class MemberCommand implements Callable<Integer> {
  /** The member's entry point, in {@code unipool-hazelcast}, which the CLI has only at run time. */
  static final String MAIN = "dev.unipool.hazelcast.internal.MemberMain";

  /**
   * Unpacks a Spring Boot jar's nested jars (in {@code unipool-process}, which the CLI has only at run time),
   * so that a member fed such a jar finds the classes in it, as worker processes do.
   */
  static final String NESTED_JARS = "dev.unipool.process.internal.NestedJars";

  /** The environment variable {@code --classpath} defaults to. */
  public static final String CLASSPATH_ENV = "UNIPOOL_CLASSPATH";

  @Spec @Nullable CommandSpec spec;

  @Option(names = "--port", paramLabel = "P", defaultValue = "5801", description = "Port to listen on. Default: ${DEFAULT-VALUE}.")
  int port = 5801;

  @Option(
      names = "--cluster-name",
      paramLabel = "NAME",
      description = "Cluster name, a secret: pools must use the same. Other users can see it in the process"
          + " list. Default: the one generated for you in ~/.config/unipool/cluster-name"
          + " (-Dunipool.cluster.nameFile=PATH moves it).")
  @Nullable String clusterName;

  @Option(
      names = "--join",
      paramLabel = "[NAME@]HOST:PORT",
      split = ",",
      description = "Members to join, comma-separated; they must have the same cluster name (NAME@ gives it,"
          + " like --cluster-name; without either, yours).")
  List<String> join = new ArrayList<>();

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description = "Address to bind to; 0.0.0.0 for every interface. Anything but loopback needs"
          + " --insecure-allow-network. Default: ${DEFAULT-VALUE}.")
  String bind = "127.0.0.1";

  @Option(
      names = "--insecure-allow-network",
      description = "Allow a --bind address other machines can reach. Anyone there who reaches the port and"
          + " learns the cluster name (sent unencrypted) can run code in the member: use only on a network"
          + " where you trust every machine.")
  boolean insecureAllowNetwork;

  @Option(names = "--threads", paramLabel = "N", description = "Task threads. Default: one per core.")
  @Nullable Integer threads;

  @Option(
      names = {"-cp", "--classpath"},
      paramLabel = "PATHS",
      defaultValue = "${env:" + CLASSPATH_ENV + "}",
      description = "Your jars and class directories, separated by ':' (DIR/* is every jar in DIR), added"
          + " after unipool's own; the member loads task classes from them. A Spring Boot executable jar"
          + " counts as its classes and nested jars (unpacked once into ~/.cache/unipool)."
          + " Default: $" + CLASSPATH_ENV + ".")
  @Nullable String classpath;

  private final PrintWriter out;
  private final PrintWriter err;

  /**
   * Creates the command.
   *
   * @param out where the member's standard output is forwarded (its address, once it is up)
   * @param err where the member's standard error is forwarded
   */
  public MemberCommand(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() throws Exception {
    List<String> userPaths = userClassPath();
    List<String> args = new ArrayList<>(List.of("--port", String.valueOf(port), "--bind", bind));
    if (clusterName != null) {
      args.add("--cluster-name");
      args.add(clusterName);
    }
    if (insecureAllowNetwork) {
      args.add("--insecure-allow-network");
    }
    // bench --cluster compares with raw Hazelcast, whose tasks are Java-serialized: admit exactly those
    // two (they return 1 and x + 1), and nothing else, through the member's serialization filter.
    args.add("--java-serialization-allow");
    args.add(String.join(",", dev.unipool.cli.bench.RawHazelcast.TASK_CLASSES));
    if (!join.isEmpty()) {
      args.add("--join");
      args.add(String.join(",", join));
    }
    if (threads != null) {
      args.add("--threads");
      args.add(String.valueOf(threads));
    }
    validate(args);
    MemberJvm jvm = MemberJvm.start(userPaths, args, out, err);
    try {
      return jvm.waitFor();
    } catch (InterruptedException e) {
      jvm.stop();
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /**
   * The {@code --classpath} entries (or {@value #CLASSPATH_ENV}'s), each checked to exist and made
   * absolute; empty entries are skipped.
   *
   * @throws UsageException naming the first entry that does not exist or cannot be a class path entry
   */
  private List<String> userClassPath() {
    String value = classpath;
    if (value == null || value.isBlank()) {
      return List.of();
    }
    CommandSpec s = spec;
    boolean fromEnv = s != null && !s.commandLine().getParseResult().hasMatchedOption("--classpath");
    String option = fromEnv ? CLASSPATH_ENV : "--classpath";
    List<String> paths = new ArrayList<>();
    for (String entry : value.split(File.pathSeparator, -1)) {
      if (entry.isBlank()) {
        continue;
      }
      boolean wildcard = entry.equals("*") || entry.endsWith(File.separator + "*");
      Path path = Path.of(wildcard ? entry.substring(0, entry.length() - 1) + "." : entry).toAbsolutePath().normalize();
      if (!Files.exists(path)) {
        String resolved = path.toString().equals(entry) ? "" : " (" + path + ")";
        throw new UsageException(option + ": " + entry + " does not exist" + resolved);
      }
      if (wildcard && !Files.isDirectory(path)) {
        throw new UsageException(option + ": " + entry + " needs a directory before /*, and " + path + " is not one");
      }
      String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
      if (Files.isRegularFile(path) && !name.endsWith(".jar") && !name.endsWith(".zip")) {
        throw new UsageException(option + ": " + entry + " is a file but not a .jar or .zip; give jars and class directories");
      }
      if (wildcard || !Files.isRegularFile(path)) {
        paths.add(wildcard ? path + File.separator + "*" : path.toString());
      } else {
        paths.addAll(jarClassPath(option, entry, path));
      }
    }
    return paths;
  }

  /** The class path entries that hold a jar's classes: a Spring Boot jar's nested jars, unpacked; else itself. */
  private static List<String> jarClassPath(String option, String entry, Path jar) {
    Method classPath;
    try {
      classPath = Class.forName(NESTED_JARS, true, MemberCommand.class.getClassLoader()).getMethod("classPath", Path.class);
    } catch (ReflectiveOperationException e) {
      return List.of(jar.toString()); // without unipool-process, jars are taken as they are
    }
    try {
      List<?> entries = (List<?>) classPath.invoke(null, jar);
      return entries.stream().map(String::valueOf).toList();
    } catch (InvocationTargetException e) {
      throw new UsageException(option + ": cannot read " + entry + ": " + e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Checks the member's arguments here, so that a bad value is a one-line usage error before any JVM
   * starts, and that {@code unipool-hazelcast} is present.
   */
  private static void validate(List<String> args) throws ReflectiveOperationException {
    Class<?> settings;
    try {
      settings = Class.forName(MAIN + "$Settings", false, MemberCommand.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new UsageException("needs the dev.unipool:unipool-hazelcast module on the class path");
    }
    try {
      settings.getMethod("parse", String[].class).invoke(null, (Object) args.toArray(String[]::new));
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException bad) {
        throw new UsageException(String.valueOf(bad.getMessage()));
      }
      throw e;
    }
  }
}
