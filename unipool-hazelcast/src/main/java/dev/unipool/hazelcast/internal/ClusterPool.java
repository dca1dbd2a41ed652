package dev.unipool.hazelcast.internal;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.MemberLeftException;
import dev.unipool.Backend;
import dev.unipool.PoolOptions;
import dev.unipool.WorkerCrashedException;
import dev.unipool.WorkerInfo;
import dev.unipool.WorkerStats;
import dev.unipool.remote.Codec;
import dev.unipool.remote.Loss;
import dev.unipool.remote.Lost;
import dev.unipool.remote.RemotePool;
import dev.unipool.remote.RemoteTask;
import dev.unipool.remote.Reply;
import dev.unipool.spi.TaskRun;
import dev.unipool.spi.WorkerMeter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A pool whose tasks run on the members of a Hazelcast cluster, reached as a Hazelcast client: the
 * transport under {@link RemotePool}.
 *
 * <p>Overview: the pool knows every member's task capacity (its {@code unipool} executor's pool size,
 * learnt with a {@link Probe}) and sends a task only to a member with a free thread, so a task starts on
 * the member when it is sent: that is when its timeout starts, and tasks that wait, wait here, where
 * cancel and {@code shutdownNow} can take them back. Each task travels as one {@link RunTask} through
 * {@link IExecutorService#submitToMember}; the member answers with an {@link Outcome}. A task stays
 * counted against its member until that answer arrives, even if its future was cancelled, because the
 * member thread is busy until then.
 *
 * <p>Cancel and timeouts send a {@link CancelTask} to the same member through a second executor
 * ({@code unipool-control}), which interrupts the task's thread there. A member that leaves or whose
 * connection breaks fails only the tasks it was running, with a {@link WorkerCrashedException} (or re-runs
 * them elsewhere within their retries). Closing waits for this pool's own tasks and then shuts down only
 * the client: it never calls {@code IExecutorService.shutdown()} (cluster-wide: it would stop the executor
 * for every other client) or {@code close()} (it spins forever, hazelcast#2371).
 *
 * <p>All dispatch state is guarded by {@link #lock}; Hazelcast is called outside it.
 */
final class ClusterPool extends RemotePool<MemberNode> {
  /** Outcomes up to this size are decoded on the Hazelcast thread that received them (see {@link #send}). */
  private static final int INLINE_OUTCOME_BYTES = 16 * 1024;
  /** How often a member whose connection failed is asked again whether it is there. */
  private static final long REPROBE_MILLIS = 500;
  /** After this many failed probes in a row a member counts as gone. */
  private static final int MAX_PROBE_FAILURES = 20;
  /** After {@code shutdownNow}, how long members get to report their interrupted tasks before the pool stops waiting. */
  private static final long ABANDON_SECONDS = 10;
  /** While someone reads stats(), members are asked for their memory at most this often. */
  private static final long RSS_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** The longest the pool waits for the Hazelcast client to shut down before it counts as terminated anyway. */
  private static final long CLIENT_SHUTDOWN_SECONDS = 10;

  private final Backend.Cluster config;
  private final String poolId = UUID.randomUUID().toString();
  private final HazelcastInstance client;
  private final IExecutorService tasks;
  private final IExecutorService control;

  private final Map<UUID, MemberNode> nodes = new LinkedHashMap<>();
  /** Per member address, for stats(): kept when a member leaves, reused if it comes back. */
  private final Map<String, WorkerMeter> meters = new LinkedHashMap<>();
  private long rssAskedAt;
  /** Probes and cancels awaiting their answer: the client is shut down only after them, quietly. */
  private int controlCalls;
  private boolean clientStopping;
  private boolean terminated;

  /** Sends one task to its member; the answer arrives as {@link #answered}, a failure as {@link #onLost}. */
  @SuppressWarnings("unchecked") // Hazelcast's client futures are CompletableFutures
  void send(MemberNode node, RemoteTask task) {
    long id = task.id();
    TaskRun<?> run = task.run();
    try {
      Future<Outcome> f = tasks.submitToMember(new RunTask(poolId + "/" + id, task.payload().joined()), node.member);
      // A direct executor, not whenComplete: Hazelcast runs "non-async" callbacks on its default async
      // executor, which on fewer than three cores starts a thread per callback.
      ((CompletionStage<Outcome>) f).whenCompleteAsync((outcome, failure) -> {
        if (failure == null && outcome != null && outcome.status() == Outcome.OK
            && outcome.payload().length > 0 && outcome.payload().length <= INLINE_OUTCOME_BYTES
            && Codec.isPlain(outcome.payload()[0]) && !run.hasDependentStages()) {
          // A plain value (decoding runs no user code and never waits) that nothing but waiting threads
          // depends on: completing it here only unparks them, and saves the hop to a results thread,
          // about a third of a sequential round trip on 2 cores. What it refills is sent from there.
          List<MemberNode> touched = new ArrayList<>(1);
          answered(node, id, reply(outcome), false, touched);
          if (!touched.isEmpty()) {
            COMPLETIONS.execute(() -> flush(touched));
          }
        } else {
          COMPLETIONS.execute(() -> {
            if (failure == null && outcome != null) {
              List<MemberNode> touched = new ArrayList<>(1);
              answered(node, id, reply(outcome), true, touched);
              flush(touched);
            } else {
              onLost(node, id, failure != null ? failure : new IllegalStateException("the member sent no outcome"));
            }
          });
        }
      }, Runnable::run);
    } catch (RuntimeException e) {
      onLost(node, id, e);
    }
  }

  /** Asks the member to interrupt task {@code id} through the control executor, so it never waits behind tasks. */
  void interrupt(MemberNode node, long id) {
    if (!controlCallStarting()) {
      return;
    }
    try {
      // Its answer does not matter: the task's own outcome, interrupted or not, frees its member thread.
      whenDone(control.submitToMember(new CancelTask(poolId + "/" + id), node.member), (v, e) -> controlCallDone());
    } catch (RuntimeException e) {
      controlCallDone(); // the client or the member is going away; its tasks fail or are abandoned on their own
    }
  }

  /** The codec's view of an outcome; a payload without its tag reads as undecodable, as it is. */
  private static Reply reply(Outcome outcome) {
    if (outcome.status() == Outcome.SKIPPED) {
      return Reply.skipped();
    }
    byte[] p = outcome.payload();
    Codec.Encoded payload;
    try {
      payload = Codec.Encoded.split(p);
    } catch (java.io.StreamCorruptedException e) {
      payload = new Codec.Encoded((byte) -1, p);
    }
    return new Reply(outcome.status() == Outcome.OK ? Reply.Status.OK : Reply.Status.FAILED, payload, outcome.runNanos());
  }

  private ClusterPool(Backend.Cluster config, PoolOptions options, HazelcastInstance client, int limit) {
    super(config, options, new Codec(List.of(), "a cluster member"), "cluster pool", false, limit);
    this.config = config;
    this.client = client;
    this.tasks = client.getExecutorService(MemberSide.TASKS);
    this.control = client.getExecutorService(MemberSide.CONTROL);
  }

  // ---- connecting ----

  /**
   * Connects to the cluster and learns its members, all within the configured connect timeout.
   *
   * @throws IllegalStateException if no member is reachable, or none can run unipool tasks
   */
  static ClusterPool open(Backend.Cluster config, PoolOptions options) {
    HazelcastInstance client = ClusterClient.connect(config);
    boolean explicit = !config.equals(
        new Backend.Cluster(config.addresses(), config.clusterName(), config.connectTimeout(), 0));
    ClusterPool pool = new ClusterPool(config, options, client, explicit ? config.parallelism() : 0);
    try {
      pool.connect();
    } catch (RuntimeException e) {
      ClusterClient.shutdownQuietly(client);
      throw e;
    }
    return pool;
  }

  private void connect() {
    client.getLifecycleService().addLifecycleListener(this::onLifecycle);
    client.getCluster().addMembershipListener(new InitialMembershipListener() {
      @Override
      public void init(InitialMembershipEvent event) {
        event.getMembers().forEach(ClusterPool.this::onMemberAdded);
      }

      @Override
      public void memberAdded(MembershipEvent event) {
        onMemberAdded(event.getMember());
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        onMemberRemoved(event.getMember(), new MemberLeftException(event.getMember()));
      }
    });
    client.getCluster().getMembers().forEach(this::onMemberAdded);
    // Wait until every member known now has answered its probe, so parallelism() is right from the
    // start; bounded by the connect timeout.
    // Saturated: a connect timeout of centuries does not fit in nanoseconds (toNanos would throw).
    long timeoutNanos = config.connectTimeout().compareTo(Duration.ofDays(365L * 200)) > 0
        ? Long.MAX_VALUE / 2 : config.connectTimeout().toNanos();
    long deadline = System.nanoTime() + timeoutNanos;
    lock.lock();
    try {
      while (!nodes.values().stream().allMatch(MemberNode::settledLocked)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        changed.awaitNanos(left);
      }
      if (nodes.values().stream().noneMatch(n -> n.info() != null)) {
        Throwable cause = nodes.values().stream().map(n -> n.probeFailure).filter(t -> t != null).findFirst()
            .orElse(null);
        throw new IllegalStateException("the cluster at " + String.join(", ", config.addresses())
            + " answered, but no member ran unipool's probe within " + config.connectTimeout().toMillis()
            + " ms" + (cause == null ? "" : ": " + cause) + ". Start members with ./unipool member, which"
            + " puts unipool-hazelcast and your classes on their class path.", cause);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting to the cluster", e);
    } finally {
      lock.unlock();
    }
  }

  private void onMemberAdded(Member member) {
    MemberNode node;
    lock.lock();
    try {
      if (nodes.containsKey(member.getUuid()) || clientStopping) {
        return;
      }
      String address = MemberNode.addressOf(member);
      WorkerMeter meter = meters.computeIfAbsent(address, a -> new WorkerMeter(this, "member-" + a));
      meter.launched(-1, address, false);
      node = new MemberNode(this, member, meter);
      nodes.put(member.getUuid(), node);
      workers.add(node);
    } finally {
      lock.unlock();
    }
    probe(node);
  }

  private void probe(MemberNode node) {
    if (!controlCallStarting()) {
      return;
    }
    try {
      whenDone(control.submitToMember(new Probe(), node.member), (facts, failure) -> {
        controlCallDone();
        onProbed(node, facts,
            facts == null && failure == null ? new IllegalStateException("the member sent no facts") : failure);
      });
    } catch (RuntimeException e) {
      controlCallDone();
      onProbed(node, null, e);
    }
  }

  /** Counts a probe or cancel about to be sent; false if the client is already being shut down. */
  private boolean controlCallStarting() {
    lock.lock();
    try {
      if (clientStopping) {
        return false;
      }
      controlCalls++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void controlCallDone() {
    lock.lock();
    try {
      controlCalls = Math.max(0, controlCalls - 1); // abandon() may have zeroed it
      idleCheckLocked();
    } finally {
      lock.unlock();
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the re-probe timer checks the node itself
  private void onProbed(MemberNode node, @Nullable MemberFacts facts, @Nullable Throwable failure) {
    List<MemberNode> touched = new ArrayList<>();
    boolean again = false;
    lock.lock();
    try {
      if (node.goneLocked()) {
        return;
      }
      if (facts != null) {
        node.meter().identify(facts.name(), facts.pid(), facts.host());
        node.meter().rss(facts.rssBytes());
        node.meter().ready();
        node.identifyLocked(facts);
        assignLocked(touched);
      } else {
        node.probeFailure = ClusterClient.unwrap(failure);
        again = ++node.probeFailures < MAX_PROBE_FAILURES && !clientStopping && brokenCause() == null;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    flush(touched);
    if (again) {
      TIMER.schedule(() -> probe(node), REPROBE_MILLIS, TimeUnit.MILLISECONDS);
    } else if (facts == null) {
      onMemberRemoved(node.member, node.probeFailure == null ? new MemberLeftException(node.member) : node.probeFailure);
    }
  }

  private void onMemberRemoved(Member member, Throwable cause) {
    List<MemberNode> touched = new ArrayList<>();
    List<Lost> failed;
    List<TaskRun<?>> orphans = List.of();
    MemberNode node;
    lock.lock();
    try {
      node = nodes.remove(member.getUuid());
      if (node == null) {
        return;
      }
      workers.remove(node);
      node.leftLocked("left the cluster or its connection was lost: " + cause);
      failed = lostAllLocked(node, task -> MEMBER_LOST);
      if (nodes.isEmpty()) {
        orphans = takeQueuedLocked(); // nobody left to run them; a client that lost the cluster shuts down
      }
      assignLocked(touched);
      idleCheckLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    flush(touched);
    for (Lost lost : failed) {
      lost.task().run().completeExceptionally(crashed(node, cause));
    }
    for (TaskRun<?> run : orphans) {
      run.completeExceptionally(new IllegalStateException("no cluster member is left to run the task (the last"
          + " one, " + node.address + ", left: " + cause + "); start one with: ./unipool member", cause));
    }
  }

  /** A member's loss says nothing of how far its tasks got: each may have run, so a re-run uses a retry. */
  private static final Loss MEMBER_LOST = Loss.mayHaveRun("the member was lost");

  @SuppressWarnings("FutureReturnValueIgnored") // the re-probe timer checks the node itself
  private void onLost(MemberNode node, long id, Throwable t) {
    Throwable cause = ClusterClient.unwrap(t);
    boolean memberLost = ClusterClient.isMemberLoss(cause);
    List<MemberNode> touched = new ArrayList<>();
    Lost failed;
    boolean reprobe = false;
    lock.lock();
    try {
      if (!node.holdsLocked(id)) {
        return;
      }
      if (memberLost) {
        reprobe = !node.suspect && !node.goneLocked() && !clientStopping;
        node.suspect = true; // send nothing more there until it answers a probe again
      }
      failed = lostOneLocked(node, id, memberLost ? MEMBER_LOST : new Loss(false, false, "it could not be sent"));
      assignLocked(touched);
      idleCheckLocked();
    } finally {
      lock.unlock();
    }
    flush(touched);
    if (reprobe) {
      TIMER.schedule(() -> probe(node), REPROBE_MILLIS, TimeUnit.MILLISECONDS);
    }
    if (failed != null) {
      failed.task().run().completeExceptionally(memberLost ? crashed(node, cause)
          : new IllegalStateException("cluster member " + node.address + " could not run the task: " + cause, cause));
    }
  }

  private static WorkerCrashedException crashed(MemberNode node, Throwable cause) {
    WorkerInfo w = node.info();
    WorkerCrashedException e = new WorkerCrashedException(w == null ? "member-" + node.address : w.name(),
        w == null ? -1 : w.pid(), null, null, "",
        "cluster member " + node.address + " left or its connection was lost: " + cause);
    e.initCause(cause);
    return e;
  }

  private void onLifecycle(LifecycleEvent event) {
    if (event.getState() != LifecycleEvent.LifecycleState.SHUTDOWN) {
      return;
    }
    List<TaskRun<?>> lost;
    IllegalStateException failure;
    lock.lock();
    try {
      if (clientStopping) {
        return; // our own shutdown
      }
      failure = new IllegalStateException("lost the connection to the cluster at " + String.join(", ", config.addresses())
          + " and could not re-establish it within " + config.connectTimeout().toMillis() + " ms");
      clientStopping = true;
      lost = takeQueuedLocked(); // failed below, outside the lock, with the running ones
      breakLocked(failure);
      for (MemberNode n : nodes.values()) {
        for (RemoteTask task : takeAllLocked(n)) {
          lost.add(task.run());
        }
        n.leftLocked("the pool lost the connection to the cluster");
      }
      nodes.clear();
      workers.clear();
      terminated = true; // nothing is left to wait for once the pool is shut down
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    for (TaskRun<?> run : lost) {
      run.completeExceptionally(failure);
    }
  }

  /**
   * Runs {@code action} on {@link #COMPLETIONS} when a Hazelcast future completes. Not Hazelcast's
   * {@code ExecutionCallback}: that runs on {@code ConcurrencyUtil.getDefaultAsyncExecutor()}, which on
   * machines with fewer than three cores starts a new thread for every callback (tripling the round
   * trip); and not inline, because completing a task runs the user's dependent stages, which must never
   * run on (or block) a Hazelcast I/O or response thread.
   */
  @SuppressWarnings("unchecked") // Hazelcast's client futures are CompletableFutures
  private static <T> void whenDone(
      Future<T> f, BiConsumer<? super T, ? super Throwable> action) {
    ((CompletionStage<T>) f).whenCompleteAsync(action, COMPLETIONS);
  }

  /** The tasks this pool runs at once: the members' task threads, capped by an explicit parallelism. */
  @Override
  public int parallelism() {
    lock.lock();
    try {
      int sum = 0;
      for (MemberNode n : nodes.values()) {
        if (n.info() != null && !n.goneLocked()) {
          sum += n.capacity;
        }
      }
      if (sum == 0) {
        return config.parallelism();
      }
      return maxInFlight() > 0 ? Math.min(maxInFlight(), sum) : sum;
    } finally {
      lock.unlock();
    }
  }

  // ---- the transport's part of RemotePool ----

  /** Once nothing is queued or running, shuts the client down (and only the client). */
  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // a deadline that is never called off
  protected void drainedLocked() {
    if (clientStopping) {
      if (brokenCause() != null && !terminated) {
        terminated = true;
        changed.signalAll();
      }
      return;
    }
    if (inFlightLocked() > 0 || controlCalls > 0) {
      return;
    }
    clientStopping = true;
    for (MemberNode n : nodes.values()) {
      n.meter().stopping();
    }
    Thread.ofPlatform().daemon().name("unipool-cluster-close").start(() -> {
      try {
        ClusterClient.shutdownQuietly(client);
      } finally {
        markTerminated();
      }
    });
    // client.shutdown() normally takes milliseconds; if it ever stalls, close() must still return.
    TIMER.schedule(this::markTerminated, CLIENT_SHUTDOWN_SECONDS, TimeUnit.SECONDS);
  }

  private void markTerminated() {
    lock.lock();
    try {
      for (WorkerMeter m : meters.values()) {
        m.exited(null, null, "the pool was closed");
      }
      terminated = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * A task that ignores interrupts keeps its member thread; the pool stops waiting for it after a while
   * (it cannot kill a thread on a shared member) so that shutdownNow always terminates.
   */
  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // a deadline that is never called off
  protected void afterShutdownNow(List<MemberNode> all) {
    TIMER.schedule(this::abandon, ABANDON_SECONDS, TimeUnit.SECONDS);
  }

  private void abandon() {
    lock.lock();
    try {
      for (MemberNode n : nodes.values()) {
        for (int i = takeAllLocked(n).size(); i > 0; i--) {
          n.meter().taskLost();
        }
      }
      controlCalls = 0;
      idleCheckLocked();
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected boolean transportTerminatedLocked() {
    return terminated;
  }

  /**
   * One entry per member address this pool has seen. Members report their memory in answer to a probe,
   * which this asks for (in the background) at most once a second, so a first call may show -1.
   */
  @Override
  protected List<WorkerStats> workerStats() {
    List<WorkerMeter> all;
    List<MemberNode> ask = new ArrayList<>();
    lock.lock();
    try {
      all = new ArrayList<>(meters.values());
      long now = System.nanoTime();
      if (!clientStopping && now - rssAskedAt >= RSS_REFRESH_NANOS) {
        rssAskedAt = now;
        for (MemberNode n : nodes.values()) {
          if (n.info() != null && !n.goneLocked()) {
            ask.add(n);
          }
        }
      }
    } finally {
      lock.unlock();
    }
    if (!ask.isEmpty()) {
      COMPLETIONS.execute(() -> ask.forEach(this::probe)); // never blocks the caller on Hazelcast
    }
    List<WorkerStats> out = new ArrayList<>(all.size());
    for (WorkerMeter m : all) {
      out.add(m.snapshot());
    }
    return out;
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      StringBuilder sb = new StringBuilder(super.toString()).append(" members [");
      String sep = "";
      for (MemberNode n : nodes.values()) {
        sb.append(sep).append(n.address).append(' ').append(n.loadLocked()).append('/').append(n.capacity);
        sep = ", ";
      }
      return sb.append(']').toString();
    } finally {
      lock.unlock();
    }
  }

  /** Members are other machines, whose tasks cannot map this one's memory. */
  @Override
  protected dev.unipool.Shared shareBackend(java.lang.foreign.MemorySegment data,
      java.util.function.Consumer<dev.unipool.Shared> onClose) {
    throw new UnsupportedOperationException("a cluster cannot share memory: its members are other machines."
        + " Capture the data in the task (sent with each task), or store it where members read it (a file,"
        + " a Hazelcast map); Backend.processes(n) shares it through /dev/shm");
  }
}
