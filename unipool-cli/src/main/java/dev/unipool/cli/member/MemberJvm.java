package dev.unipool.cli.member;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A member's own JVM: launched from the same {@code java} with this JVM's class path followed by the
 * user's, its output forwarded line by line, stopped by {@link #stop()} or by this JVM's shutdown.
 *
 * <p>Only the flags a member needs are inherited (module openings, heap and stack sizes, {@code -XX} and
 * {@code -D} settings, e.g. from {@code UNIPOOL_JAVA_OPTS}); debugger and agent flags are not, since a
 * second JVM cannot share their ports or files.
 */
final class MemberJvm {
  /** How long a member gets to leave the cluster cleanly after SIGTERM before it is killed. */
  private static final long STOP_GRACE_SECONDS = 20;
  /** How long the forwarders get to pass on the last lines after the member has exited. */
  private static final long DRAIN_MILLIS = 5_000;

  private final Process process;
  private final List<Thread> forwarders;
  private final Thread shutdownHook;

  private MemberJvm(Process process, List<Thread> forwarders) {
    this.process = process;
    this.forwarders = forwarders;
    this.shutdownHook = new Thread(this::stop, "unipool-member-stop");
  }

  /**
   * Starts a member JVM running {@link MemberChild} with the given member arguments.
   *
   * @param userPaths the user's class path entries, already checked; after this JVM's class path
   * @param args the member's arguments ({@code --port ...})
   * @param out where the member's stdout goes
   * @param err where the member's stderr goes
   * @return the running JVM, stopped when this JVM shuts down
   * @throws IOException if the JVM cannot be started
   */
  static MemberJvm start(List<String> userPaths, List<String> args, PrintWriter out, PrintWriter err)
      throws IOException {
    Process p = new ProcessBuilder(command(userPaths, args)).start();
    // stdin stays open and unused: its EOF tells the member that this JVM is gone (MemberChild).
    MemberJvm jvm = new MemberJvm(p, List.of(forward(p.getInputStream(), out, "out"), forward(p.getErrorStream(), err, "err")));
    Runtime.getRuntime().addShutdownHook(jvm.shutdownHook);
    return jvm;
  }

  static List<String> command(List<String> userPaths, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> classPath = new ArrayList<>();
    classPath.add(System.getProperty("java.class.path"));
    classPath.addAll(userPaths);
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, classPath));
    List<String> inherited = ManagementFactory.getRuntimeMXBean().getInputArguments();
    if (inherited.stream().noneMatch(a -> a.startsWith("--sun-misc-unsafe-memory-access"))) {
      cmd.add("--sun-misc-unsafe-memory-access=allow"); // Hazelcast still uses sun.misc.Unsafe; JDK 25 warns
    }
    for (int i = 0; i < inherited.size(); i++) {
      String a = inherited.get(i);
      if (a.startsWith("--add-") || a.startsWith("--enable-native-access")) {
        cmd.add(a);
        if (!a.contains("=") && i + 1 < inherited.size()) {
          cmd.add(inherited.get(++i));
        }
      } else if (inherits(a)) {
        cmd.add(a);
      }
    }
    cmd.add(MemberChild.class.getName());
    cmd.addAll(args);
    return cmd;
  }

  private static boolean inherits(String flag) {
    if (flag.startsWith("-Xdebug") || flag.startsWith("-Xrun") || flag.startsWith("-XX:Flight")
        || flag.startsWith("-XX:StartFlightRecording") || flag.startsWith("-XX:AOT")) {
      return false; // debuggers and recordings own a port or file; an AOT cache belongs to another class path
    }
    return flag.startsWith("-X") || flag.startsWith("-D") || flag.startsWith("--sun-misc-unsafe-memory-access")
        || flag.equals("--enable-preview") || flag.equals("-ea") || flag.equals("-enableassertions");
  }

  private static Thread forward(InputStream from, PrintWriter to, String which) {
    return Thread.ofPlatform().daemon().name("unipool-member-" + which).start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(from, Charset.defaultCharset()))) {
        String line;
        while ((line = r.readLine()) != null) {
          to.println(line);
          to.flush();
        }
      } catch (IOException e) {
        // the member is gone
      }
    });
  }

  /**
   * Waits until the member JVM exits by itself and its output has been forwarded.
   *
   * @return its exit code
   * @throws InterruptedException if interrupted while waiting (the member keeps running: call {@link #stop()})
   */
  int waitFor() throws InterruptedException {
    int code = process.waitFor();
    drain();
    removeHook();
    return code;
  }

  /**
   * Stops the member: SIGTERM, so that it leaves the cluster cleanly, then SIGKILL if it is still running
   * after a grace period. Safe to call more than once and from the shutdown hook.
   */
  void stop() {
    process.destroy();
    boolean interrupted = false;
    try {
      if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
      }
      drain();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      interrupted = true;
    }
    removeHook();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void drain() throws InterruptedException {
    for (Thread t : forwarders) {
      t.join(DRAIN_MILLIS);
    }
  }

  private void removeHook() {
    if (Thread.currentThread() == shutdownHook) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running or about to, and stop() is safe to repeat
    }
  }
}
