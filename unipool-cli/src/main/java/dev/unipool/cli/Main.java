package dev.unipool.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * The {@code unipool} command: {@code unipool demo titles|compute|mixed}.
 *
 * <p>{@link #main(String[])} exits the JVM with the exit code; {@link #run(PrintStream, PrintStream, String...)}
 * returns it instead, for tests and embedding. Exit codes: 0 ok, 1 some tasks failed, 2 usage error.
 */
@Command(
    name = "unipool",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "One Java API for running work concurrently; how the work runs is a switch (--backend).",
    commandListHeading = "%nCommands:%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:some tasks failed", "2:usage error"},
    footerHeading = "%nExamples:%n",
    footer = {
      "  unipool demo titles                    # page titles, fetched concurrently",
      "  unipool demo titles --backend virtual  # the same program on another backend",
      "  unipool demo compute --workers 2       # CPU-bound work split across workers",
      "  unipool demo mixed                     # CPU, I/O and waits, routed by kind",
      "  unipool top 12345                      # the pools of a running JVM, live",
      "  unipool demo titles --help"
    })
public final class Main implements Callable<Integer> {
  /** Exit code: everything worked. */
  public static final int OK = 0;

  /** Exit code: the command ran but some tasks failed. */
  public static final int TASKS_FAILED = 1;

  /** Exit code: the command was called wrongly. */
  public static final int USAGE = 2;

  private Main() {}

  /**
   * Runs the command and exits the JVM with its exit code.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }

  /**
   * Runs the command without exiting. Tasks print their progress lines to {@link System#out} (they may run
   * in another JVM, where no other stream exists), so callers that capture {@code out} should point
   * {@code System.out} at the same stream.
   *
   * @param out where reports and help go
   * @param err where error messages go
   * @param args the command line
   * @return the exit code: {@link #OK}, {@link #TASKS_FAILED} or {@link #USAGE}
   */
  public static int run(PrintStream out, PrintStream err, String... args) {
    PrintWriter o = new PrintWriter(new OutputStreamWriter(out, out.charset()), true);
    PrintWriter e = new PrintWriter(new OutputStreamWriter(err, err.charset()), true);
    try {
      return commandLine(o, e).execute(args);
    } finally {
      o.flush();
      e.flush();
    }
  }

  private static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine demo = new CommandLine(new DemoCommand())
        .addSubcommand(new TitlesDemo(out))
        .addSubcommand(new ComputeDemo(out))
        .addSubcommand(new MixedDemo(out));
    CommandLine cmd = new CommandLine(new Main())
        .addSubcommand(demo)
        .addSubcommand(new dev.unipool.cli.bench.BenchCommand(out))
        .addSubcommand(new dev.unipool.cli.member.MemberCommand(out, err))
        .addSubcommand(new TopCommand(out))
        .addSubcommand(new CommandLine.HelpCommand());
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setParameterExceptionHandler((ex, args) -> usageError(ex.getCommandLine(), ex.getMessage(), false));
    cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
      if (ex instanceof UsageException u) {
        return usageError(c, u.getMessage(), u.showUsage());
      }
      // A bug or an environment failure: one line by default, the stack trace on request.
      err.println(c.getCommandSpec().qualifiedName() + ": unexpected error: " + ex);
      if (System.getenv("UNIPOOL_DEBUG") != null) {
        ex.printStackTrace(err);
      } else {
        err.println("(set UNIPOOL_DEBUG=1 to see the stack trace)");
      }
      return TASKS_FAILED;
    });
    return cmd;
  }

  private static int usageError(CommandLine c, @Nullable String message, boolean showUsage) {
    String name = c.getCommandSpec().qualifiedName();
    String line = (message == null ? "" : message).lines().findFirst().orElse("invalid usage").strip();
    PrintWriter err = c.getErr();
    err.println(name + ": " + line + (showUsage ? "" : " (see '" + name + " --help')"));
    if (showUsage) {
      c.usage(err);
    }
    return USAGE;
  }

  @Override
  public Integer call() {
    throw new UsageException("which command? try 'unipool demo titles'", true);
  }

  /** Reads the version from the jar manifest, which Maven fills in. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"unipool " + (v == null ? "(development build)" : v)};
    }
  }
}
