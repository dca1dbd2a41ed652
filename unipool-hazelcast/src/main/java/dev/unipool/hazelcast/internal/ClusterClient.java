package dev.unipool.hazelcast.internal;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.HazelcastClientNotActiveException;
import com.hazelcast.client.HazelcastClientOfflineException;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import dev.unipool.Backend;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The Hazelcast client a {@link ClusterPool} talks through: how it is configured and connected, and how
 * its failures read. Static helpers only.
 */
final class ClusterClient {
  /** Kept strongly: {@link Logger} holds its loggers weakly, and a collected one forgets its level. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
  /**
   * Logs every connection attempt as a warning. The pool itself reports what matters (no member reachable,
   * a member lost) as exceptions on the calls and tasks concerned.
   */
  private static final Logger CONNECTION_LOG =
      Logger.getLogger("com.hazelcast.client.impl.connection.ClientConnectionManager");
  /**
   * Warns, with a stack trace, when a response and the client's own shutdown race to complete the same
   * finished invocation: a benign race inside Hazelcast that closing a pool right after its last task
   * answered can hit.
   */
  private static final Logger INVOCATION_LOG = Logger.getLogger("com.hazelcast.client.impl.spi.ClientInvocationService");
  /**
   * Logs a stack trace for every connection a member refuses (a wrong cluster name), each retry for the
   * whole connect timeout; {@link #unreachable} says it once.
   */
  private static final Logger CLOSED_CONNECTION_LOG =
      Logger.getLogger("com.hazelcast.client.impl.connection.tcp.TcpClientConnection");
  private static final AtomicInteger IDS = new AtomicInteger();

  private ClusterClient() {}

  /**
   * Connects a client to the cluster {@code config} names, within its connect timeout.
   *
   * @throws IllegalStateException if no member let it in, saying what to do
   */
  static HazelcastInstance connect(Backend.Cluster config) {
    ClientConfig cc = clientConfig(config, config.resolvedClusterName());
    try {
      return HazelcastClient.newHazelcastClient(cc);
    } catch (RuntimeException e) {
      throw new IllegalStateException(unreachable(config, e), e);
    }
  }

  private static ClientConfig clientConfig(Backend.Cluster config, String clusterName) {
    ClientConfig cc = new ClientConfig();
    cc.setClusterName(clusterName);
    // Outcomes and facts are DataSerializable: a member (or something posing as one) gets no gadget in.
    ClusterSecurity.restrictDeserialization(cc.getSerializationConfig(), List.of());
    cc.setInstanceName("unipool-cluster-" + IDS.incrementAndGet());
    cc.getNetworkConfig().setAddresses(config.addresses().stream().map(String::strip).toList());
    long millis = config.connectTimeout().toMillis();
    cc.getNetworkConfig().setConnectionTimeout((int) Math.min(millis, 5_000));
    // Bounded: without this the client retries for ever and Pool.of never returns when no member runs.
    // The same bound applies when the client loses the cluster later: then it gives up and shuts down.
    cc.getConnectionStrategyConfig().getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(millis)
        .setInitialBackoffMillis(100)
        .setMaxBackoffMillis(1_000)
        .setMultiplier(1.5);
    // Hazelcast logs a paragraph at INFO for every connection; keep only warnings unless the user chose.
    if (System.getProperty("hazelcast.logging.type") == null) {
      cc.setProperty("hazelcast.logging.type", "jdk");
      if (HAZELCAST_LOG.getLevel() == null) {
        HAZELCAST_LOG.setLevel(Level.WARNING);
        CONNECTION_LOG.setLevel(Level.SEVERE);
        INVOCATION_LOG.setLevel(Level.SEVERE);
        CLOSED_CONNECTION_LOG.setLevel(Level.SEVERE);
      }
    }
    return cc;
  }

  /** Why no member let us in, and what to do; never the cluster name itself, which is a secret. */
  private static String unreachable(Backend.Cluster config, Throwable e) {
    String first = config.addresses().getFirst().strip();
    String port = first.substring(first.lastIndexOf(':') + 1);
    String name = config.clusterName() == null
        ? "this user's, from " + Backend.Cluster.nameFile()
        : "the one given to the backend";
    String start = config.clusterName() == null ? "" : " --cluster-name NAME";
    return "no unipool cluster member at " + String.join(", ", config.addresses()) + " let this pool in within "
        + config.connectTimeout().toMillis() + " ms: none runs there, or the members there have another cluster"
        + " name than this pool's (" + name + "). Start one with: ./unipool member --port " + port + start
        + " (" + e.getMessage() + ")";
  }

  static void shutdownQuietly(HazelcastInstance client) {
    try {
      client.shutdown(); // the client only: IExecutorService.shutdown() would stop the executor cluster-wide
    } catch (RuntimeException e) {
      // already shut down
    }
  }

  static Throwable unwrap(@Nullable Throwable t) {
    Throwable c = t == null ? new IllegalStateException("unknown failure") : t;
    while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  /** Whether {@code t} says the member or the connection to it went away (rather than the task failing). */
  static boolean isMemberLoss(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof MemberLeftException || c instanceof TargetDisconnectedException
          || c instanceof TargetNotMemberException || c instanceof HazelcastInstanceNotActiveException
          || c instanceof HazelcastClientNotActiveException || c instanceof HazelcastClientOfflineException
          || c instanceof IOException) {
        return true;
      }
    }
    return false;
  }
}
