package dev.unipool.cli.member;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code unipool member}: starts a Hazelcast member that runs the tasks of {@code --backend cluster:...}
 * pools, with this command's class path (unipool and the demos; add your jars to run your own tasks).
 *
 * <p>The member lives in {@code unipool-hazelcast}, which the CLI has only at run time (it names
 * backends through {@code Backend.parse}, never the module's classes), so it is reached reflectively;
 * without the module the command says which artifact is missing.
 */
@Command(
    name = "member",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Starts a cluster member that runs unipool tasks, and stays up until interrupted (Ctrl-C).",
      "It binds to 127.0.0.1 unless --bind says otherwise, joins only the --join members (TCP/IP, no"
          + " multicast) and never phones home. Pools reach it with --backend cluster:HOST:PORT."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped", "1:could not start", "2:usage error"},
    footerHeading = "%nExamples:%n",
    footer = {
      "  unipool member --port 5801",
      "  unipool member --port 5802 --join 127.0.0.1:5801",
      "  unipool demo titles --backend cluster:127.0.0.1:5801"
    })
public final class MemberCommand implements Callable<Integer> {
  private static final String MAIN = "dev.unipool.hazelcast.internal.MemberMain";

  @Spec @Nullable CommandSpec spec;

  @Option(names = "--port", paramLabel = "P", defaultValue = "5801", description = "Port to listen on. Default: ${DEFAULT-VALUE}.")
  int port = 5801;

  @Option(
      names = "--cluster-name",
      paramLabel = "C",
      defaultValue = "unipool",
      description = "Cluster name; pools must use the same. Default: ${DEFAULT-VALUE}.")
  String clusterName = "unipool";

  @Option(names = "--join", paramLabel = "HOST:PORT", split = ",", description = "Members to join, comma-separated.")
  List<String> join = new ArrayList<>();

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description = "Address to bind to; 0.0.0.0 for every interface. Default: ${DEFAULT-VALUE}.")
  String bind = "127.0.0.1";

  @Option(names = "--threads", paramLabel = "N", description = "Task threads. Default: one per core.")
  @Nullable Integer threads;

  private final PrintWriter out;

  /**
   * Creates the command.
   *
   * @param out where the member prints its address
   */
  public MemberCommand(PrintWriter out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    List<String> args = new ArrayList<>(List.of("--port", String.valueOf(port), "--cluster-name", clusterName, "--bind", bind));
    if (!join.isEmpty()) {
      args.add("--join");
      args.add(String.join(",", join));
    }
    if (threads != null) {
      args.add("--threads");
      args.add(String.valueOf(threads));
    }
    Class<?> main;
    try {
      main = Class.forName(MAIN);
    } catch (ClassNotFoundException e) {
      throw usage("needs the dev.unipool:unipool-hazelcast module on the class path");
    }
    Class<?> settingsType = Class.forName(MAIN + "$Settings");
    Object settings;
    try {
      settings = settingsType.getMethod("parse", String[].class).invoke(null, (Object) args.toArray(String[]::new));
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException bad) {
        throw usage(String.valueOf(bad.getMessage()));
      }
      throw e;
    }
    Method run = main.getMethod("run", settingsType, PrintWriter.class);
    try {
      run.invoke(null, settings, out);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        return 0;
      }
      if (e.getCause() instanceof IllegalArgumentException bad) {
        throw usage(String.valueOf(bad.getMessage()));
      }
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
    return 0;
  }

  private CommandLine.ParameterException usage(String message) {
    CommandSpec s = spec;
    if (s == null) {
      throw new IllegalStateException(message);
    }
    return new CommandLine.ParameterException(s.commandLine(), message);
  }
}
