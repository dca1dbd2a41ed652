package dev.unipool.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import dev.unipool.TaskFuture;
import dev.unipool.Worker;
import dev.unipool.WorkerCrashedException;
import dev.unipool.WorkerInfo;
import dev.unipool.testkit.FileSignal;
import dev.unipool.testkit.HeldTask;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What goes wrong with a cluster, tested: members that die, no member at all, closing with work outstanding. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterFailureTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir Path tmp;

  private static Throwable causeOf(TaskFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
    return e.getCause();
  }

  private static <T> T get(TaskFuture<T> f) throws Exception {
    return f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
  }

  /** Holds {@code n} task threads of {@code pool} with tasks released by {@code release}; returns once all run. */
  private List<TaskFuture<String>> occupy(Pool pool, int n, FileSignal release) throws Exception {
    List<HeldTask> held = new ArrayList<>();
    List<TaskFuture<String>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HeldTask h = HeldTask.in(tmp, release);
      held.add(h);
      futures.add(pool.submit(h));
    }
    for (HeldTask h : held) {
      h.started().await(PATIENCE);
    }
    return futures;
  }

  private static String hostOf(TaskFuture<?> f) {
    return f.worker().map(WorkerInfo::host).orElseThrow(() -> new AssertionError("no worker for a started task"));
  }

  @Test
  void memberKilledMidRun_failsOnlyItsTasks_andRetriesRunElsewhere() throws Exception {
    try (TestCluster cluster = TestCluster.start(3)) {
      List<TestCluster.Member> members = cluster.members();
      Backend.Cluster backend = new Backend.Cluster(cluster.addresses(), cluster.name(), Duration.ofSeconds(30), 0);

      // Without retries: the killed member's tasks fail with a clear exception, the others finish.
      try (Pool pool = Pool.of(backend)) {
        assertEquals(3 * TestCluster.THREADS, ((dev.unipool.spi.AbstractPool) pool).parallelism());
        FileSignal release = FileSignal.in(tmp);
        List<TaskFuture<String>> held = occupy(pool, 3 * TestCluster.THREADS, release);
        TestCluster.Member victim = members.getFirst();
        cluster.kill(victim);
        List<TaskFuture<String>> survivors = new ArrayList<>();
        int failed = 0;
        for (TaskFuture<String> f : held) {
          if (hostOf(f).equals(victim.address())) {
            WorkerCrashedException e = assertInstanceOf(WorkerCrashedException.class, causeOf(f));
            assertTrue(e.getMessage().contains(victim.address()), e::getMessage);
            assertEquals(victim.process().pid(), e.pid());
            assertNotNull(e.getCause(), "the Hazelcast exception is the cause");
            failed++;
          } else {
            survivors.add(f);
          }
        }
        assertEquals(TestCluster.THREADS, failed, "exactly the victim's tasks failed");
        for (TaskFuture<String> f : survivors) {
          assertFalse(f.isDone(), "a task on a surviving member was affected: " + f);
        }
        release.fire();
        for (TaskFuture<String> f : survivors) {
          assertEquals(HeldTask.RELEASED, get(f));
        }
        assertTrue(List.of(members.get(1).address(), members.get(2).address()).contains(
            get(pool.submit(() -> Worker.current().host()))), "new tasks go to the surviving members");
      }

      // With retries: tasks of the next killed member re-run on the one that is left.
      try (Pool pool = Pool.of(backend, PoolOptions.defaults().retries(2))) {
        FileSignal release = FileSignal.in(tmp);
        List<TaskFuture<String>> held = occupy(pool, 2 * TestCluster.THREADS, release);
        TestCluster.Member victim = members.get(1);
        List<TaskFuture<String>> onVictim = held.stream().filter(f -> hostOf(f).equals(victim.address())).toList();
        assertEquals(TestCluster.THREADS, onVictim.size());
        cluster.kill(victim);
        release.fire(); // the re-runs find the release already fired and return at once
        for (TaskFuture<String> f : held) {
          assertEquals(HeldTask.RELEASED, get(f));
        }
        for (TaskFuture<String> f : onVictim) {
          assertEquals(members.get(2).address(), hostOf(f), "the retried task ran on the survivor");
        }
      }
    }
  }

  @Test
  void noMember_failsWithinTheConnectTimeout_namingTheAddressAndTheFix() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // free once closed: nobody listens there
    }
    Backend backend = Backend.cluster("127.0.0.1:" + port).clusterName("nobody-here").connectTimeout(Duration.ofSeconds(2));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Pool.of(backend));
    assertTrue(e.getMessage().contains("127.0.0.1:" + port), e::getMessage);
    assertTrue(e.getMessage().contains("./unipool member --port " + port), e::getMessage);
  }

  @Test
  void close_withTasksOutstanding_returnsOnceTheyAreDone_andLeavesTheMembersRunning() throws Exception {
    TestCluster cluster = TestCluster.shared();
    Pool pool = Pool.of(cluster.backend());
    FileSignal release = FileSignal.in(tmp);
    List<TaskFuture<String>> held = occupy(pool, 2 * TestCluster.THREADS, release);
    List<TaskFuture<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int n = i;
      queued.add(pool.submit(() -> n * n));
    }
    AtomicReference<Throwable> closeFailure = new AtomicReference<>();
    Thread closer = Thread.ofPlatform().name("closer").start(() -> {
      try {
        pool.close();
      } catch (Throwable t) {
        closeFailure.set(t);
      }
    });
    while (!pool.isShutdown()) {
      Thread.onSpinWait();
    }
    release.fire();
    assertTrue(closer.join(PATIENCE), "close() did not return after its tasks finished");
    assertEquals(null, closeFailure.get());
    assertTrue(pool.isTerminated());
    for (TaskFuture<String> f : held) {
      assertEquals(HeldTask.RELEASED, f.resultNow());
    }
    for (int i = 0; i < queued.size(); i++) {
      assertEquals(i * i, queued.get(i).resultNow());
    }
    // Closing shut down this pool's client only, never the members' executor: another pool still works.
    try (Pool other = Pool.of(cluster.backend())) {
      assertEquals(42, get(other.submit(() -> 42)));
    }
  }

  @Test
  void workerCurrent_insideATask_namesTheMemberItsPidAndAddress() throws Exception {
    TestCluster cluster = TestCluster.shared();
    try (Pool pool = Pool.of(cluster.backend())) {
      TaskFuture<WorkerInfo> f = pool.submit(() -> Worker.current());
      WorkerInfo inside = get(f);
      TestCluster.Member m = cluster.members().stream().filter(x -> x.address().equals(inside.host())).findFirst()
          .orElseThrow(() -> new AssertionError("not a member address: " + inside));
      assertEquals(m.process().pid(), inside.pid());
      assertEquals("member-" + m.address(), inside.name());
      assertEquals(inside.pid(), f.worker().orElseThrow().pid());
      assertEquals(inside.host(), f.worker().orElseThrow().host());
    }
  }

  @Test
  void nonSerializableTask_failsAtSubmit_namingTheType() throws Exception {
    TestCluster cluster = TestCluster.shared();
    try (Pool pool = Pool.of(cluster.backend())) {
      Thread local = Thread.currentThread();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> pool.submit(() -> local.getName()));
      assertTrue(e.getMessage().contains("java.lang.Thread"), e::getMessage);
      assertTrue(e.getMessage().contains("cluster member"), e::getMessage);
      Callable<String> plain = () -> "plain";
      IllegalArgumentException lambda = assertThrows(IllegalArgumentException.class, () -> pool.submit(plain));
      assertTrue(lambda.getMessage().contains("Serializable"), lambda::getMessage);
      assertEquals("ok", get(pool.submit((Callable<String> & Serializable) () -> "ok")));
    }
  }
}
