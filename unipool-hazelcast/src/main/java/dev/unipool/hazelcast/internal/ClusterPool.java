package dev.unipool.hazelcast.internal;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.HazelcastClientNotActiveException;
import com.hazelcast.client.HazelcastClientOfflineException;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import dev.unipool.Backend;
import dev.unipool.PoolOptions;
import dev.unipool.WorkerCrashedException;
import dev.unipool.WorkerInfo;
import dev.unipool.WorkerStats;
import dev.unipool.remote.Codec;
import dev.unipool.spi.AbstractPool;
import dev.unipool.spi.TaskRun;
import dev.unipool.spi.WorkerMeter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * A pool whose tasks run on the members of a Hazelcast cluster, reached as a Hazelcast client.
 *
 * <p>Overview: tasks are encoded in the submitting thread ({@link #prepare}) and queued here. The pool
 * knows every member's task capacity (its {@code unipool} executor's pool size, learnt with a
 * {@link Probe}) and sends a task only to a member with a free thread, the least loaded first, so a task
 * starts on the member when it is sent: that is when its timeout starts, and tasks that wait, wait here,
 * where cancel and {@code shutdownNow} can take them back. Each task travels as one {@link RunTask}
 * through {@link IExecutorService#submitToMember}; the member answers with an {@link Outcome}. A task stays
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
final class ClusterPool extends AbstractPool {
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
  /** The user's explicit parallelism, a cap on tasks in flight; 0 for "whatever the members offer". */
  private final int limit;
  private final Codec codec = new Codec(java.util.List.of(), "a cluster member");
  private final String poolId = UUID.randomUUID().toString();
  private final HazelcastInstance client;
  private final IExecutorService tasks;
  private final IExecutorService control;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<TaskRun<?>> queue = new ArrayDeque<>();
  private final Map<UUID, Node> nodes = new LinkedHashMap<>();
  /** Per member address, for stats(): kept when a member leaves, reused if it comes back. */
  private final Map<String, WorkerMeter> meters = new LinkedHashMap<>();
  private long rssAskedAt;
  private int rotation;
  private long nextId;
  private int inFlight;
  /** Probes and cancels awaiting their answer: the client is shut down only after them, quietly. */
  private int controlCalls;
  private boolean stopping;
  private boolean clientStopping;
  private boolean terminated;
  private @Nullable RuntimeException broken;

  /** Per-task state, in {@link TaskRun#attachment}. Guarded by {@link #lock}. */
  private static final class Job {
    final byte[] bytes;
    long id;
    @Nullable Node node;
    int attempts;
    /** Time spent encoding it, counted for the first member it is sent to. */
    long encodeNanos;

    Job(byte[] bytes) {
      this.bytes = bytes;
    }
  }

  /** One member as this pool sees it. Guarded by {@link #lock}. */
  private static final class Node {
    final Member member;
    final String address;
    final WorkerMeter meter;
    final LinkedHashMap<Long, TaskRun<?>> running = new LinkedHashMap<>();
    @Nullable WorkerInfo info;
    int capacity;
    boolean suspect;
    boolean gone;
    int probeFailures;
    @Nullable Throwable probeFailure;

    Node(Member member, WorkerMeter meter) {
      this.member = member;
      this.address = addressOf(member);
      this.meter = meter;
    }

    static String addressOf(Member member) {
      return member.getAddress().getHost() + ":" + member.getAddress().getPort();
    }

    boolean usable() {
      return info != null && !suspect && !gone && running.size() < capacity;
    }

    boolean settled() {
      return info != null || probeFailure != null || gone;
    }
  }

  private ClusterPool(Backend.Cluster config, PoolOptions options, HazelcastInstance client, int limit) {
    super(config, options);
    this.config = config;
    this.client = client;
    this.limit = limit;
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
    ClientConfig cc = clientConfig(config, config.resolvedClusterName());
    HazelcastInstance client;
    try {
      client = HazelcastClient.newHazelcastClient(cc);
    } catch (RuntimeException e) {
      throw new IllegalStateException(unreachable(config, e), e);
    }
    boolean explicit = !config.equals(
        new Backend.Cluster(config.addresses(), config.clusterName(), config.connectTimeout(), 0));
    ClusterPool pool = new ClusterPool(config, options, client, explicit ? config.parallelism() : 0);
    try {
      pool.connect();
    } catch (RuntimeException e) {
      shutdownQuietly(client);
      throw e;
    }
    return pool;
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
    long timeoutNanos = config.connectTimeout().compareTo(java.time.Duration.ofDays(365L * 200)) > 0
        ? Long.MAX_VALUE / 2 : config.connectTimeout().toNanos();
    long deadline = System.nanoTime() + timeoutNanos;
    lock.lock();
    try {
      while (!nodes.values().stream().allMatch(Node::settled)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        changed.awaitNanos(left);
      }
      if (nodes.values().stream().noneMatch(n -> n.info != null)) {
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
    Node node;
    lock.lock();
    try {
      if (nodes.containsKey(member.getUuid()) || clientStopping) {
        return;
      }
      String address = Node.addressOf(member);
      WorkerMeter meter = meters.computeIfAbsent(address, a -> new WorkerMeter(this, "member-" + a));
      meter.launched(-1, address, false);
      node = new Node(member, meter);
      nodes.put(member.getUuid(), node);
    } finally {
      lock.unlock();
    }
    probe(node);
  }

  private void probe(Node node) {
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
  private void onProbed(Node node, @Nullable MemberFacts facts, @Nullable Throwable failure) {
    List<Send> sends = new ArrayList<>();
    boolean again = false;
    lock.lock();
    try {
      if (node.gone) {
        return;
      }
      if (facts != null) {
        node.meter.identify(facts.name(), facts.pid(), facts.host());
        node.meter.rss(facts.rssBytes());
        node.meter.ready();
        node.info = new WorkerInfo(facts.pid(), facts.name(), "unipool-executor", facts.host());
        node.capacity = Math.max(1, facts.threads());
        node.suspect = false;
        node.probeFailures = 0;
        assignLocked(sends);
      } else {
        node.probeFailure = unwrap(failure);
        again = ++node.probeFailures < MAX_PROBE_FAILURES && !clientStopping && broken == null;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    send(sends);
    if (again) {
      TIMER.schedule(() -> probe(node), REPROBE_MILLIS, TimeUnit.MILLISECONDS);
    } else if (facts == null) {
      onMemberRemoved(node.member, node.probeFailure == null ? new MemberLeftException(node.member) : node.probeFailure);
    }
  }

  private void onMemberRemoved(Member member, Throwable cause) {
    List<Send> sends = new ArrayList<>();
    List<TaskRun<?>> failed = new ArrayList<>();
    List<TaskRun<?>> orphans = List.of();
    Node node;
    lock.lock();
    try {
      node = nodes.remove(member.getUuid());
      if (node == null) {
        return;
      }
      node.gone = true;
      node.meter.exited(null, null, "left the cluster or its connection was lost: " + cause);
      List<TaskRun<?>> lost = new ArrayList<>(node.running.values());
      node.running.clear();
      inFlight -= lost.size();
      for (int i = lost.size() - 1; i >= 0; i--) {
        requeueOrFailLocked(lost.get(i), failed);
      }
      if (nodes.isEmpty() && !queue.isEmpty()) {
        orphans = new ArrayList<>(queue); // nobody left to run them; a client that lost the cluster shuts down
        queue.clear();
      }
      assignLocked(sends);
      idleCheckLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    send(sends);
    for (TaskRun<?> run : failed) {
      run.completeExceptionally(crashed(node, cause));
    }
    for (TaskRun<?> run : orphans) {
      run.completeExceptionally(new IllegalStateException("no cluster member is left to run the task (the last"
          + " one, " + node.address + ", left: " + cause + "); start one with: ./unipool member", cause));
    }
  }

  /** Puts a task whose member was lost back at the front of the queue if its retries allow, else lists it. */
  private void requeueOrFailLocked(TaskRun<?> run, List<TaskRun<?>> failed) {
    if (run.isDone()) {
      return;
    }
    Job job = (Job) run.attachment;
    if (job != null && job.attempts < run.retries() && broken == null) {
      job.attempts++;
      queue.addFirst(run);
    } else {
      failed.add(run);
    }
  }

  private static WorkerCrashedException crashed(Node node, Throwable cause) {
    WorkerInfo w = node.info;
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
    List<TaskRun<?>> lost = new ArrayList<>();
    IllegalStateException failure;
    lock.lock();
    try {
      if (clientStopping) {
        return; // our own shutdown
      }
      failure = new IllegalStateException("lost the connection to the cluster at " + String.join(", ", config.addresses())
          + " and could not re-establish it within " + config.connectTimeout().toMillis() + " ms");
      broken = failure;
      clientStopping = true;
      lost.addAll(queue);
      queue.clear();
      for (Node n : nodes.values()) {
        lost.addAll(n.running.values());
        n.running.clear();
        n.gone = true;
        n.meter.exited(null, null, "the pool lost the connection to the cluster");
      }
      nodes.clear();
      inFlight = 0;
      terminated = stopping;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    for (TaskRun<?> run : lost) {
      run.completeExceptionally(failure);
    }
  }

  // ---- dispatch ----

  /** A clock read is noise next to a network round trip: always record timings. */
  @Override
  protected boolean recordsTimings() {
    return true;
  }

  @Override
  protected @Nullable Object prepare(Callable<?> task) {
    long start = System.nanoTime();
    Job job = new Job(codec.encodeTask(task).joined());
    job.encodeNanos = System.nanoTime() - start;
    return job;
  }

  @Override
  protected void dispatch(TaskRun<?> run) {
    List<Send> sends = new ArrayList<>(1);
    lock.lock();
    try {
      RuntimeException b = broken;
      if (b != null) {
        throw new RejectedExecutionException("the cluster pool is broken: " + b.getMessage(), b);
      }
      if (stopping) {
        throw new RejectedExecutionException("the cluster pool is shut down");
      }
      queue.addLast(run);
      assignLocked(sends);
    } finally {
      lock.unlock();
    }
    send(sends);
  }

  /** A task on its way to a member: sent after the lock is released. */
  private record Send(Node node, long id, RunTask envelope, TaskRun<?> run) {}

  private void assignLocked(List<Send> sends) {
    while (!queue.isEmpty()) {
      TaskRun<?> run = queue.peekFirst();
      if (run.isDone()) {
        queue.pollFirst();
        continue;
      }
      if (limit > 0 && inFlight >= limit) {
        return;
      }
      Node node = pickLocked();
      if (node == null) {
        return;
      }
      queue.pollFirst();
      WorkerInfo info = node.info;
      Job job = (Job) run.attachment;
      if (info == null || job == null || !run.start(info)) {
        continue;
      }
      long id = ++nextId;
      job.id = id;
      job.node = node;
      node.running.put(id, run);
      node.meter.taskSent(job.encodeNanos);
      job.encodeNanos = 0;
      inFlight++;
      sends.add(new Send(node, id, new RunTask(poolId + "/" + id, job.bytes), run));
    }
  }

  /** The usable member with the fewest of our tasks; ties go round the members in turn. */
  private @Nullable Node pickLocked() {
    Node best = null;
    int n = nodes.size();
    if (n == 0) {
      return null;
    }
    int start = Math.floorMod(rotation++, n);
    int i = 0;
    for (Node node : nodes.values()) {
      // visit in rotated order without allocating: first pass from start, then wrap
      if (i++ < start) {
        continue;
      }
      best = better(best, node);
    }
    i = 0;
    for (Node node : nodes.values()) {
      if (i++ >= start) {
        break;
      }
      best = better(best, node);
    }
    return best;
  }

  private static @Nullable Node better(@Nullable Node best, Node candidate) {
    if (!candidate.usable()) {
      return best;
    }
    return best == null || candidate.running.size() < best.running.size() ? candidate : best;
  }

  @SuppressWarnings("unchecked") // Hazelcast's client futures are CompletableFutures
  private void send(List<Send> sends) {
    for (Send s : sends) {
      try {
        java.util.concurrent.Future<Outcome> f = tasks.submitToMember(s.envelope(), s.node().member);
        // A direct executor, not whenComplete: Hazelcast runs "non-async" callbacks on its default async
        // executor, which on fewer than three cores starts a thread per callback.
        ((java.util.concurrent.CompletionStage<Outcome>) f).whenCompleteAsync((outcome, failure) -> {
          if (failure == null && outcome != null && outcome.status() == Outcome.OK
              && outcome.payload().length > 0 && outcome.payload().length <= INLINE_OUTCOME_BYTES
              && Codec.isPlain(outcome.payload()[0]) && !s.run().hasDependentStages()) {
            // A plain value (decoding runs no user code and never waits) that nothing but waiting threads
            // depends on: completing it here only unparks them, and saves the hop to a results thread,
            // about a third of a sequential round trip on 2 cores.
            onOutcome(s.node(), s.id(), outcome, true);
          } else {
            COMPLETIONS.execute(() -> {
              if (failure != null) {
                onLost(s.node(), s.id(), failure);
              } else if (outcome != null) {
                onOutcome(s.node(), s.id(), outcome, false);
              } else {
                onLost(s.node(), s.id(), new IllegalStateException("the member sent no outcome"));
              }
            });
          }
        }, Runnable::run);
      } catch (RuntimeException e) {
        onLost(s.node(), s.id(), e);
      }
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
      java.util.concurrent.Future<T> f, java.util.function.BiConsumer<? super T, ? super Throwable> action) {
    ((java.util.concurrent.CompletionStage<T>) f).whenCompleteAsync(action, COMPLETIONS);
  }

  // results may be null (Runnable tasks); settle's task is the one just completed, not needed here
  @SuppressWarnings({"unchecked", "NullAway", "FutureReturnValueIgnored"})
  private void onOutcome(Node node, long id, Outcome outcome, boolean onHazelcastThread) {
    // Completed before it is settled: once settled, the pool may count as idle and terminate, and
    // close() must not return before the task's future is done.
    TaskRun<Object> run;
    lock.lock();
    try {
      run = (TaskRun<Object>) node.running.get(id);
      if (run != null) {
        node.meter.taskDone(outcome.status() != Outcome.SKIPPED); // counted before the task completes
      }
    } finally {
      lock.unlock();
    }
    if (run != null && !run.isDone()) { // else cancelled or timed out: its outcome is already set
      complete(node, run, outcome);
    }
    settle(node, id, onHazelcastThread);
  }

  @SuppressWarnings("NullAway") // results may be null (Runnable tasks)
  private void complete(Node node, TaskRun<Object> run, Outcome outcome) {
    if (run.attachment instanceof Job job) {
      run.transferred(job.bytes.length, outcome.payload().length);
    }
    long decodeStart = System.nanoTime();
    try {
      decode(node, run, outcome);
    } finally {
      node.meter.decoded(System.nanoTime() - decodeStart);
    }
  }

  @SuppressWarnings("NullAway") // results may be null (Runnable tasks)
  private void decode(Node node, TaskRun<Object> run, Outcome outcome) {
    switch (outcome.status()) {
      case Outcome.OK -> {
        try {
          run.complete(codec.decodeJoined(outcome.payload()));
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
          run.completeExceptionally(new IllegalStateException("cannot decode the task's result: " + e, e));
        }
      }
      case Outcome.FAILED -> run.completeExceptionally(codec.decodeThrowableJoined(outcome.payload()));
      default -> run.completeExceptionally(
          new IllegalStateException("member " + node.address + " skipped the task as if it had been cancelled"));
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the re-probe timer checks the node itself
  private void onLost(Node node, long id, Throwable t) {
    Throwable cause = unwrap(t);
    boolean memberLost = isMemberLoss(cause);
    List<TaskRun<?>> failed = new ArrayList<>(1);
    List<Send> sends = new ArrayList<>();
    boolean reprobe = false;
    lock.lock();
    try {
      TaskRun<?> run = node.running.remove(id);
      if (run == null) {
        return;
      }
      node.meter.taskLost();
      inFlight--;
      if (memberLost) {
        reprobe = !node.suspect && !node.gone && !clientStopping;
        node.suspect = true; // send nothing more there until it answers a probe again
        requeueOrFailLocked(run, failed);
      } else if (!run.isDone()) {
        failed.add(run);
      }
      assignLocked(sends);
      idleCheckLocked();
    } finally {
      lock.unlock();
    }
    send(sends);
    if (reprobe) {
      TIMER.schedule(() -> probe(node), REPROBE_MILLIS, TimeUnit.MILLISECONDS);
    }
    for (TaskRun<?> run : failed) {
      run.completeExceptionally(memberLost ? crashed(node, cause)
          : new IllegalStateException("cluster member " + node.address + " could not run the task: " + cause, cause));
    }
  }

  /**
   * Removes a task from its member's list (it no longer occupies a thread there) and refills; tasks it
   * hands out are sent from a results thread when called on a Hazelcast thread, which must not block.
   */
  private @Nullable TaskRun<?> settle(Node node, long id, boolean onHazelcastThread) {
    List<Send> sends = new ArrayList<>();
    TaskRun<?> run;
    lock.lock();
    try {
      run = node.running.remove(id);
      if (run == null) {
        return null;
      }
      inFlight--;
      assignLocked(sends);
      idleCheckLocked();
    } finally {
      lock.unlock();
    }
    if (!sends.isEmpty()) {
      if (onHazelcastThread) {
        COMPLETIONS.execute(() -> send(sends));
      } else {
        send(sends);
      }
    }
    return run;
  }

  private static Throwable unwrap(@Nullable Throwable t) {
    Throwable c = t == null ? new IllegalStateException("unknown failure") : t;
    while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  /** Whether {@code t} says the member or the connection to it went away (rather than the task failing). */
  private static boolean isMemberLoss(Throwable t) {
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

  /** The tasks this pool runs at once: the members' task threads, capped by an explicit parallelism. */
  @Override
  public int parallelism() {
    lock.lock();
    try {
      int sum = 0;
      for (Node n : nodes.values()) {
        if (n.info != null && !n.gone) {
          sum += n.capacity;
        }
      }
      if (sum == 0) {
        return config.parallelism();
      }
      return limit > 0 ? Math.min(limit, sum) : sum;
    } finally {
      lock.unlock();
    }
  }

  // ---- cancellation and shutdown ----

  @Override
  protected void cancelRunning(TaskRun<?> run, boolean interrupt) {
    if (!interrupt) {
      return; // like FutureTask.cancel(false): the task runs on, its result is dropped
    }
    Node node;
    long id;
    lock.lock();
    try {
      Job job = (Job) run.attachment;
      node = job == null ? null : job.node;
      if (job == null || node == null || !node.running.containsKey(job.id)) {
        return;
      }
      id = job.id;
    } finally {
      lock.unlock();
    }
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

  /** Once stopping and nothing is queued or running, shuts the client down (and only the client). */
  @SuppressWarnings("FutureReturnValueIgnored") // a deadline that is never called off
  private void idleCheckLocked() {
    if (!stopping || clientStopping) {
      if (stopping && broken != null && !terminated) {
        terminated = true;
        changed.signalAll();
      }
      return;
    }
    queue.removeIf(TaskRun::isDone);
    if (inFlight > 0 || controlCalls > 0 || !queue.isEmpty()) {
      return;
    }
    clientStopping = true;
    for (Node n : nodes.values()) {
      n.meter.stopping();
    }
    Thread.ofPlatform().daemon().name("unipool-cluster-close").start(() -> {
      try {
        shutdownQuietly(client);
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

  private static void shutdownQuietly(HazelcastInstance client) {
    try {
      client.shutdown(); // the client only: IExecutorService.shutdown() would stop the executor cluster-wide
    } catch (RuntimeException e) {
      // already shut down
    }
  }

  @Override
  protected void shutdownBackend() {
    lock.lock();
    try {
      stopping = true;
      idleCheckLocked();
    } finally {
      lock.unlock();
    }
  }

  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // a deadline that is never called off
  protected List<TaskRun<?>> shutdownBackendNow() {
    List<TaskRun<?>> never = new ArrayList<>();
    List<TaskRun<?>> running = new ArrayList<>();
    lock.lock();
    try {
      stopping = true;
      for (TaskRun<?> r : queue) {
        if (!r.isDone()) {
          never.add(r);
        }
      }
      queue.clear();
      for (Node n : nodes.values()) {
        running.addAll(n.running.values());
      }
    } finally {
      lock.unlock();
    }
    for (TaskRun<?> r : running) {
      r.cancel(true); // sends the interrupt; the member's answer then frees the slot
    }
    // A task that ignores interrupts keeps its member thread; the pool stops waiting for it after a while
    // (it cannot kill a thread on a shared member) so that shutdownNow always terminates.
    TIMER.schedule(this::abandon, ABANDON_SECONDS, TimeUnit.SECONDS);
    lock.lock();
    try {
      idleCheckLocked();
    } finally {
      lock.unlock();
    }
    return never;
  }

  private void abandon() {
    lock.lock();
    try {
      for (Node n : nodes.values()) {
        for (int i = n.running.size(); i > 0; i--) {
          n.meter.taskLost();
        }
        n.running.clear();
      }
      inFlight = 0;
      controlCalls = 0;
      idleCheckLocked();
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected boolean awaitBackend(long nanos) throws InterruptedException {
    lock.lock();
    try {
      long left = nanos;
      while (!terminated) {
        if (left <= 0) {
          return false;
        }
        left = changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected boolean backendTerminated() {
    lock.lock();
    try {
      return terminated;
    } finally {
      lock.unlock();
    }
  }

  /**
   * One entry per member address this pool has seen. Members report their memory in answer to a probe,
   * which this asks for (in the background) at most once a second, so a first call may show -1.
   */
  @Override
  protected List<WorkerStats> workerStats() {
    List<WorkerMeter> all;
    List<Node> ask = new ArrayList<>();
    lock.lock();
    try {
      all = new ArrayList<>(meters.values());
      long now = System.nanoTime();
      if (!clientStopping && now - rssAskedAt >= RSS_REFRESH_NANOS) {
        rssAskedAt = now;
        for (Node n : nodes.values()) {
          if (n.info != null && !n.gone) {
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
      for (Node n : nodes.values()) {
        sb.append(sep).append(n.address).append(' ').append(n.running.size()).append('/').append(n.capacity);
        sep = ", ";
      }
      return sb.append(']').toString();
    } finally {
      lock.unlock();
    }
  }
}
