package dev.unipool.hazelcast.internal;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import dev.unipool.Backend;
import dev.unipool.Worker;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Starts a cluster member that runs unipool tasks: the entry point behind {@code unipool member}, and
 * what tests start in their own JVMs.
 *
 * <pre>{@code
 * java -cp <unipool and your jars> dev.unipool.hazelcast.internal.MemberMain
 *     [--port 5801] [--cluster-name NAME] [--join [NAME@]host:port,...] [--bind 127.0.0.1 [--insecure-allow-network]]
 *     [--threads N] [--java-serialization-allow CLASS,...]
 * }</pre>
 *
 * <p>Hazelcast open source has no authentication: whoever reaches the member's port and knows its cluster
 * name can run code in it. So the member binds to loopback and refuses any other address unless
 * {@code --insecure-allow-network} says the network is trusted; its cluster name is a secret, by default
 * the one generated for this user in {@link Backend.Cluster#nameFile()} (where pools of the same user read
 * it, and members started with {@code --join} find the same one); and it deserializes only unipool's
 * envelopes and what Hazelcast itself needs ({@link ClusterSecurity}). It joins only the members listed
 * with {@code --join} over TCP/IP, never multicasts, never phones home, runs no Jet jobs, and logs only
 * warnings. Its {@code unipool} executor has {@code --threads} threads (default: one per core); tasks see
 * the member's address, pid and name through {@link Worker#current()}.
 */
public final class MemberMain {
  /** Kept strongly: {@link Logger} holds its loggers weakly, and a collected one forgets its level. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
  /** Warns at every start that some --add-opens are missing; they only serve optional metrics and tuning. */
  private static final Logger FACTORY_LOG = Logger.getLogger("com.hazelcast.instance.impl.HazelcastInstanceFactory");

  /** The flag without which a member refuses to bind an address other machines can reach. */
  public static final String INSECURE_ALLOW_NETWORK = "--insecure-allow-network";

  private static final String USAGE = "usage: member [--port P] [--cluster-name C] [--join [NAME@]host:port,...]"
      + " [--bind ADDR [" + INSECURE_ALLOW_NETWORK + "]] [--threads N] [--java-serialization-allow CLASS,...]";

  private MemberMain() {}

  /**
   * How to start a member.
   *
   * @param port the port to listen on (no auto-increment: the address is the one the user gave)
   * @param clusterName the cluster name clients must use; null for this user's, from
   *     {@link Backend.Cluster#nameFile()} (generated there if missing)
   * @param join the addresses of members to join, {@code host:port}; empty to start a new cluster
   * @param bind the address to bind to: an IP or host name, or {@code 0.0.0.0} for every interface
   * @param threads the task executor's pool size
   * @param insecureAllowNetwork whether {@code bind} may be an address other machines can reach
   * @param javaSerializationAllow exact class names Hazelcast's Java serialization may read besides its
   *     own (for a launcher's own harmless tasks, such as a raw-Hazelcast benchmark's)
   */
  public record Settings(
      int port,
      @Nullable String clusterName,
      List<String> join,
      String bind,
      int threads,
      boolean insecureAllowNetwork,
      List<String> javaSerializationAllow) {
    /**
     * Validates.
     *
     * @throws IllegalArgumentException on a bad value, or a {@code bind} address that is not loopback
     *     without {@code insecureAllowNetwork}
     */
    public Settings {
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("--port must be between 1 and 65535, got " + port);
      }
      if (clusterName != null && clusterName.isBlank()) {
        throw new IllegalArgumentException("--cluster-name must not be blank");
      }
      join = List.copyOf(join);
      for (String j : join) {
        if (!j.matches("[^:\\s]+:[0-9]{1,5}")) {
          throw new IllegalArgumentException("--join takes host:port[,host:port...], got '" + j + "'");
        }
      }
      if (bind.isBlank()) {
        throw new IllegalArgumentException("--bind must not be blank");
      }
      if (threads < 1) {
        throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
      }
      if (!insecureAllowNetwork && !resolve(bind).isLoopbackAddress()) {
        throw new IllegalArgumentException("--bind " + bind + " would let every machine that reaches port " + port
            + " there run code in this member: Hazelcast open source has no authentication and no encryption, so"
            + " only the cluster name, sent in clear text, stands in the way. Keep the default 127.0.0.1, or, on"
            + " a network where you trust every machine (a private network, a firewall that admits only yours),"
            + " add " + INSECURE_ALLOW_NETWORK);
      }
      javaSerializationAllow = List.copyOf(javaSerializationAllow);
    }

    /**
     * Parses {@code --port P --cluster-name C --join a,b --bind ADDR --insecure-allow-network --threads N
     * --java-serialization-allow A,B} (each optional). {@code --join NAME@a,b} also sets the cluster name,
     * as pools write it.
     *
     * @param args the arguments
     * @return the settings
     * @throws IllegalArgumentException on an unknown option or a bad value
     */
    @SuppressWarnings("IncrementInForLoopAndHeader") // an option and its value are consumed together
    public static Settings parse(String... args) {
      int port = 5801;
      String name = null;
      List<String> join = new ArrayList<>();
      String bind = "127.0.0.1";
      int threads = Runtime.getRuntime().availableProcessors();
      boolean network = false;
      List<String> javaClasses = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals(INSECURE_ALLOW_NETWORK)) {
          network = true;
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + (a.startsWith("--") ? " needs a value" : " is not an option") + "; " + USAGE);
        }
        String v = args[i + 1];
        switch (a) {
          case "--port" -> port = number(a, v);
          case "--cluster-name" -> {
            if (name != null && !name.equals(v)) {
              throw new IllegalArgumentException("--join NAME@... and --cluster-name name different clusters; give the name once");
            }
            name = v;
          }
          case "--join" -> {
            int at = v.lastIndexOf('@'); // NAME@host:port,... as pools take it: the name to join with
            if (at >= 0) {
              String joined = v.substring(0, at).strip();
              if (name != null && !name.equals(joined)) {
                throw new IllegalArgumentException("--join NAME@... and --cluster-name name different clusters; give the name once");
              }
              name = joined;
            }
            list(at < 0 ? v : v.substring(at + 1), join);
          }
          case "--bind" -> bind = v;
          case "--threads" -> threads = number(a, v);
          case "--java-serialization-allow" -> list(v, javaClasses);
          default -> throw new IllegalArgumentException("unknown option " + a + "; " + USAGE);
        }
        i++;
      }
      return new Settings(port, name, join, bind, threads, network, javaClasses);
    }

    private static void list(String value, List<String> into) {
      Arrays.stream(value.split(",")).map(String::strip).filter(x -> !x.isEmpty()).forEach(into::add);
    }

    private static int number(String option, String value) {
      try {
        return Integer.parseInt(value.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " takes a number, got '" + value + "'", e);
      }
    }
  }

  /**
   * Starts a member, prints its address and blocks until interrupted or until the member shuts down.
   *
   * @param args see {@link Settings#parse}
   */
  public static void main(String[] args) {
    try {
      run(Settings.parse(args), new PrintWriter(System.out, true, Charset.defaultCharset()));
    } catch (IllegalArgumentException e) {
      System.err.println("member: " + e.getMessage());
      System.exit(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts a member, prints one line with its address to {@code out}, and waits until the member shuts
   * down (Hazelcast's shutdown hook does that on Ctrl-C) or the calling thread is interrupted, in which
   * case it shuts the member down.
   *
   * @param settings how to start it
   * @param out where the "is up" line goes
   * @throws InterruptedException if interrupted while running
   */
  public static void run(Settings settings, PrintWriter out) throws InterruptedException {
    HazelcastInstance hz = start(settings);
    CountDownLatch down = new CountDownLatch(1);
    hz.getLifecycleService().addLifecycleListener(e -> {
      if (e.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) {
        down.countDown();
      }
    });
    String address = address(hz);
    // The name itself is never printed: output ends up in logs and terminals others may see.
    String from = settings.clusterName() != null ? "given with --cluster-name" : "in " + Backend.Cluster.nameFile();
    out.println("unipool member " + address + " is up (cluster name " + from + ", " + settings.threads()
        + " task threads, " + hz.getCluster().getMembers().size() + " member(s)); stop it with Ctrl-C");
    if (settings.clusterName() == null) {
      out.println("pools of this user on this machine connect with --backend cluster --join " + address
          + " or Backend.cluster(\"" + address + "\"); elsewhere they need that name: cluster:NAME@" + address);
    } else {
      out.println("pools connect with --backend cluster --join NAME@" + address
          + " or Backend.cluster(\"" + address + "\").clusterName(NAME)");
    }
    if (settings.insecureAllowNetwork() && !resolve(settings.bind()).isLoopbackAddress()) {
      out.println("WARNING: bound to " + settings.bind() + " with " + INSECURE_ALLOW_NETWORK + ": any machine that"
          + " reaches this port and learns the cluster name can run code here");
    }
    out.flush();
    try {
      if (hz.getLifecycleService().isRunning()) {
        down.await();
      }
    } catch (InterruptedException e) {
      hz.shutdown();
      throw e;
    }
  }

  /**
   * Starts a member and returns at once.
   *
   * @param settings how to start it
   * @return the running member
   * @throws IllegalArgumentException if {@code --bind} names no address or the port is taken
   */
  public static HazelcastInstance start(Settings settings) {
    quietLogging();
    Config config = new Config();
    String name = settings.clusterName();
    config.setClusterName(name != null ? name : ClusterSecurity.memberClusterName());
    ClusterSecurity.restrictDeserialization(config.getSerializationConfig(), settings.javaSerializationAllow());
    config.getJetConfig().setEnabled(false); // Jet runs submitted jobs' code: off, whatever the defaults become
    config.setProperty("hazelcast.phone.home.enabled", "false");
    if (System.getProperty("hazelcast.logging.type") == null) {
      config.setProperty("hazelcast.logging.type", "jdk");
    }
    if (System.getProperty("hazelcast.wait.seconds.before.join") == null) {
      // The default 5 s only matters when several members start at the same moment and must find each
      // other; a member joining a running cluster needs no wait.
      config.setProperty("hazelcast.wait.seconds.before.join", settings.join().isEmpty() ? "0" : "1");
    }
    NetworkConfig net = config.getNetworkConfig();
    net.setPort(settings.port()).setPortAutoIncrement(false);
    if (settings.bind().equals("0.0.0.0")) {
      config.setProperty("hazelcast.socket.bind.any", "true");
    } else {
      config.setProperty("hazelcast.socket.bind.any", "false");
      net.getInterfaces().setEnabled(true).addInterface(ip(settings.bind()));
    }
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(settings.join());
    config.getExecutorConfig(MemberSide.TASKS).setPoolSize(settings.threads()).setStatisticsEnabled(false);
    config.getExecutorConfig(MemberSide.CONTROL).setPoolSize(2).setStatisticsEnabled(false);
    HazelcastInstance hz;
    try {
      hz = Hazelcast.newHazelcastInstance(config);
    } catch (RuntimeException e) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof java.net.BindException) {
          throw new IllegalArgumentException("--port " + settings.port() + " is already in use on " + settings.bind()
              + " (another member?); choose another --port", e);
        }
      }
      throw e;
    }
    String address = address(hz);
    // What tasks see through Worker.current(): one member per JVM, so JVM-wide properties are right.
    System.setProperty(Worker.NAME_PROPERTY, "member-" + address);
    System.setProperty(Worker.HOST_PROPERTY, address);
    return hz;
  }

  private static String address(HazelcastInstance hz) {
    Address a = hz.getCluster().getLocalMember().getAddress();
    return a.getHost() + ":" + a.getPort();
  }

  private static String ip(String host) {
    return resolve(host).getHostAddress();
  }

  private static InetAddress resolve(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--bind: unknown host " + host, e);
    }
  }

  private static void quietLogging() {
    if (System.getProperty("hazelcast.logging.type") == null) {
      if (HAZELCAST_LOG.getLevel() == null) {
        HAZELCAST_LOG.setLevel(Level.WARNING);
      }
      FACTORY_LOG.setLevel(Level.SEVERE);
    }
  }
}
