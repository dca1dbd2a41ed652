package dev.unipool.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.unipool.PoolMXBean;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code unipool top PID}: the pools of a running JVM, live, like {@code top}. It attaches to the JVM with
 * the JDK's attach API (same machine, same user), starts its local JMX agent, and reads the
 * {@code dev.unipool:type=Pool,*} MXBeans every pool registers: counters, a completion rate, and one line per
 * worker. The JVM needs nothing but unipool.
 */
@Command(
    name = "top",
    mixinStandardHelpOptions = true,
    description = {
      "Shows the unipool pools of a running JVM, live: task counts, tasks completed per second, and one line"
          + " per worker (tasks, busy/idle, serialization time, restarts, memory).",
      "It attaches over JMX with the JDK's attach API (same machine, same user); the JVM needs nothing but"
          + " unipool. Ctrl-C stops."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  unipool top 12345               # jps lists the JVMs",
      "  unipool top 12345 --interval 5",
      "  unipool top 12345 --once        # one snapshot, for scripts"
    })
final class TopCommand implements Callable<Integer> {
  private static final String CLEAR = "\033[H\033[2J";

  @Parameters(paramLabel = "PID", description = "The process id of a JVM that uses unipool.")
  long pid;

  @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2",
      description = "Seconds between refreshes. Default: ${DEFAULT-VALUE}.")
  double interval = 2;

  @Option(names = "--once", description = "Print one snapshot and exit.")
  boolean once;

  private final PrintWriter out;

  TopCommand(PrintWriter out) {
    this.out = out;
  }

  // JMX over RMI deserializes what the target sends, as JConsole does: the target is a JVM the user named by
  // pid, on this machine and run by this same user (the attach API allows nothing else), whose local agent
  // gave the URL; such a process can already do anything this user can.
  @SuppressWarnings("BanJNDI")
  @Override
  public Integer call() throws InterruptedException {
    if (!(interval > 0)) {
      throw new UsageException("--interval must be a positive number of seconds");
    }
    JMXServiceURL url = attach();
    try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
      MBeanServerConnection server = connector.getMBeanServerConnection();
      boolean clear = !once && isTerminal();
      Map<ObjectName, long[]> previous = new HashMap<>();
      while (true) {
        String screen = render(server, previous);
        out.print(clear ? CLEAR + screen : screen);
        out.flush();
        if (once) {
          return 0;
        }
        Thread.sleep((long) (interval * 1000));
        if (!clear) {
          out.println();
        }
      }
    } catch (IOException e) {
      out.println("unipool top: lost the connection to pid " + pid + ": " + e.getMessage());
      return 1;
    }
  }

  private JMXServiceURL attach() {
    try {
      VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
      try {
        return new JMXServiceURL(vm.startLocalManagementAgent());
      } finally {
        vm.detach();
      }
    } catch (AttachNotSupportedException | IOException e) {
      throw new UsageException("cannot attach to pid " + pid + " (is it a JVM of this user on this machine?): "
          + e.getMessage());
    }
  }

  @SuppressWarnings("SystemConsoleNull") // null when there is no console; isTerminal() decides otherwise
  private static boolean isTerminal() {
    Console c = System.console();
    return c != null && c.isTerminal();
  }

  /** One screen: a header, then each pool's table with its completion rate since the last screen. */
  private String render(MBeanServerConnection server, Map<ObjectName, long[]> previous) throws IOException {
    List<ObjectName> names;
    try {
      names = new ArrayList<>(server.queryNames(new ObjectName("dev.unipool:type=Pool,*"), null));
    } catch (MalformedObjectNameException e) {
      throw new IllegalStateException(e);
    }
    names.sort(null);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "unipool top - pid %d, %d pool(s), %s%s%n", pid, names.size(),
        LocalTime.now(ZoneId.systemDefault()).format(DateTimeFormatter.ofPattern("HH:mm:ss")), // like top(1)
        once ? "" : String.format(Locale.ROOT, " (every %s s; Ctrl-C stops)", trim(interval))));
    if (names.isEmpty()) {
      sb.append("no unipool pools open in pid ").append(pid)
          .append(" (pools register when Pool.of opens them, unless -Dunipool.jmx=false)").append(System.lineSeparator());
    }
    long now = System.nanoTime();
    for (ObjectName name : names) {
      PoolMXBean pool = JMX.newMXBeanProxy(server, name, PoolMXBean.class);
      String table;
      long completed;
      try {
        table = pool.getStatsTable();
        completed = pool.getCompleted() + pool.getFailed() + pool.getCancelled();
      } catch (RuntimeException e) {
        continue; // closed while we looked
      }
      long[] before = previous.put(name, new long[] {completed, now});
      sb.append(System.lineSeparator());
      String rate = "";
      if (before != null && now > before[1]) {
        rate = String.format(Locale.ROOT, "  [%,.0f finished/s]", (completed - before[0]) / ((now - before[1]) / 1e9));
      }
      sb.append(name.getKeyProperty("name")).append(": ").append(table.replaceFirst("\\R", rate + System.lineSeparator()));
    }
    previous.keySet().retainAll(names);
    return sb.toString();
  }

  private static String trim(double seconds) {
    return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
  }
}
