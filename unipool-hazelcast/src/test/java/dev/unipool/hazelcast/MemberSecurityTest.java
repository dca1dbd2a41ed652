package dev.unipool.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import dev.unipool.testkit.SystemProperty;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who can run code on a member started with its defaults (issue 10): a plain Hazelcast client that knows
 * the cluster name cannot make it run a task of its own, and a client that does not know the name cannot
 * connect at all. The foreign tasks are on the member's class path (it has the test classes), as a gadget
 * class would be: what stops them is the member's filter, not a missing class. That they did not run is
 * proven by the file they would create, checked after the member has answered.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MemberSecurityTest {
  @TempDir static Path dir;
  private static TestCluster cluster;
  private static Path nameFile;

  /** A task from outside unipool, sent the way plain Hazelcast sends tasks: Java serialization. */
  record ForeignTask(String marker) implements Callable<String>, Serializable {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public String call() throws IOException {
      Files.createFile(Path.of(marker)); // what "id" in a shell would be in an attack
      return "ran";
    }
  }

  /** A task that is not Serializable, which a plain client sends with zero-configuration Compact serialization. */
  static final class ForeignCompactTask implements Callable<String> {
    String marker = "";

    @Override
    public String call() throws IOException {
      Files.createFile(Path.of(marker));
      return "ran";
    }
  }

  @BeforeAll
  static void startAMemberWithItsDefaults() {
    nameFile = dir.resolve("config").resolve("unipool").resolve("cluster-name");
    cluster = TestCluster.startWithDefaults(1, nameFile);
  }

  @AfterAll
  static void stopIt() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static HazelcastInstance plainClient(String clusterName) {
    ClientConfig cc = new ClientConfig();
    cc.setClusterName(clusterName);
    cc.getNetworkConfig().setAddresses(cluster.addresses());
    cc.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(5_000);
    cc.setProperty("hazelcast.logging.type", "jdk");
    return HazelcastClient.newHazelcastClient(cc);
  }

  @Test
  void memberWithDefaults_generatesASecretName_inAFileOnlyItsUserCanRead() throws Exception {
    String name = cluster.name();
    assertTrue(name.matches("unipool-[0-9a-f]{32}"), name);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nameFile)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nameFile.getParent())));
  }

  @Test
  void plainClientWithTheRightName_cannotRunAForeignTask_onAnyExecutor() throws Exception {
    HazelcastInstance client = plainClient(cluster.name());
    try {
      int n = 0;
      for (String executor : List.of("unipool", "unipool-control", "default")) {
        IExecutorService exec = client.getExecutorService(executor);
        Path serializable = dir.resolve("ran-serializable-" + n);
        Future<String> f = exec.submit(new ForeignTask(serializable.toString()));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS), executor);
        assertTrue(String.valueOf(e.getCause()).contains(ForeignTask.class.getName()), () -> executor + ": " + e);
        assertFalse(Files.exists(serializable), executor + ": the member ran a foreign Serializable task");

        Path compact = dir.resolve("ran-compact-" + n++);
        ForeignCompactTask t = new ForeignCompactTask();
        t.marker = compact.toString();
        assertThrows(Exception.class, () -> exec.submit(t).get(60, TimeUnit.SECONDS), executor);
        assertFalse(Files.exists(compact), executor + ": the member ran a foreign Compact task");
      }
    } finally {
      client.shutdown();
    }
    assertOnlyUnipoolTasksRun();
  }

  /** The member is still there and runs unipool's envelopes, so the refusals were the filter's doing. */
  private static void assertOnlyUnipoolTasksRun() throws Exception {
    try (Pool pool = Pool.of(Backend.cluster(cluster.addresses().getFirst()).clusterName(cluster.name()))) {
      TaskFuture<Long> f = pool.submit(() -> ProcessHandle.current().pid());
      assertNotEquals(ProcessHandle.current().pid(), f.get(60, TimeUnit.SECONDS));
    }
  }

  @Test
  void pool_ofTheSameUser_connectsWithoutAName() throws Exception {
    try (SystemProperty p = SystemProperty.set(Backend.Cluster.NAME_FILE_PROPERTY, nameFile.toString());
        Pool pool = Pool.of(Backend.cluster(cluster.addresses().getFirst()))) {
      assertEquals(42, pool.submit(() -> 42).get(60, TimeUnit.SECONDS));
    }
  }

  @Test
  void wrongClusterName_cannotConnect_andTheMessageKeepsTheSecret() {
    Backend.Cluster wrong = Backend.cluster(cluster.addresses().getFirst())
        .clusterName("unipool")
        .connectTimeout(Duration.ofSeconds(5));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Pool.of(wrong).close());
    assertTrue(e.getMessage().contains("another cluster name"), e.getMessage());
    assertFalse(e.getMessage().contains(cluster.name()), "the secret must not appear in messages");
    assertThrows(IllegalStateException.class, () -> plainClient("unipool").shutdown());
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
