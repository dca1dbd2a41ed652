package dev.unipool.process.internal;

import dev.unipool.Backend;
import dev.unipool.PoolOptions;
import dev.unipool.WorkerCrashedException;
import dev.unipool.WorkerInfo;
import dev.unipool.WorkerStats;
import dev.unipool.remote.Codec;
import dev.unipool.spi.AbstractPool;
import dev.unipool.spi.TaskRun;
import dev.unipool.spi.WorkerMeter;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A pool of worker JVMs.
 *
 * <p>Overview: tasks are serialized in the submitting thread ({@link #prepare}), queued here, and sent to
 * the least-loaded ready worker whose prefetch window has room; the window adapts to measured task
 * length (deep for tiny tasks so the socket stays busy, one for long tasks so none waits behind another).
 * Each worker runs its tasks in order on one thread, so the oldest task in flight on a worker is the one
 * running and the others have not started: when a worker dies, only that oldest task fails (or is
 * retried) and the rest are re-queued. Cancellation sends a Cancel frame (skip or interrupt) and, for
 * interrupts, kills the worker if the task has not stopped after the grace period. All dispatch state is
 * guarded by one lock; frames are written outside it through combining writers.
 */
final class ProcessPool extends AbstractPool {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long AUTH_TIMEOUT_MILLIS = 10_000;
  /**
   * Workers of one slot that exit with status 0 before becoming ready this many times in a row break the
   * pool: they keep giving up on their parent (refused handshakes) for a reason a new worker will not fix.
   */
  private static final int MAX_QUIET_STARTUP_EXITS = 5;
  /** Consecutive deaths before ready in one slot that are respawned at once; later ones back off. */
  private static final int RESPAWN_AT_ONCE = 2;
  private static final long MAX_RESPAWN_DELAY_MILLIS = 2_000;
  /** Bounds re-sends that use up no attempt, so that no task can circle between dying workers forever. */
  private static final int MAX_FREE_RESENDS = 100;

  private final Backend.Processes config;
  private final Codec codec;
  private final byte @Nullable [] initializer;
  private final int poolId = IDS.incrementAndGet();
  private final Path dir;
  private final ServerSocketChannel server;
  /** How workers start; fitted to how this JVM was launched, and checked before any worker starts. */
  private final WorkerLaunch launch;
  private final List<String> command;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition allExited = lock.newCondition();
  private final ArrayDeque<TaskRun<?>> queue = new ArrayDeque<>();
  private final @Nullable Handle[] slots;
  private final Map<String, Handle> connecting = new ConcurrentHashMap<>();
  /** Connections accepted and not yet proven: capped, since each holds descriptors until its timeout. */
  private final AtomicInteger handshaking = new AtomicInteger();
  /** Per slot: workers in a row that died before becoming ready (reset when one becomes ready). */
  private final int[] earlyDeaths;
  private final int[] quietEarlyExits;
  private final int[] launchFailures;
  /** Per slot, for stats(): kept across the workers that replace each other in it. */
  private final WorkerMeter[] meters;
  private long nextId;
  private boolean stopping;
  private @Nullable RuntimeException broken;
  private int live;
  /** Slots whose replacement is waiting out a back-off delay; they count as live until respawned. */
  private int respawnsPending;
  /** Completions handed to {@link #COMPLETIONS} and not yet run. Guarded by {@link #lock}. */
  private int pendingCompletions;
  /** The payload of a Done made up for a Skipped frame; never decoded. */
  private static final Codec.Encoded SKIPPED = new Codec.Encoded((byte) 0, new byte[0]);

  /** What the pool keeps per task: its bytes, and where it went. Guarded by {@link #lock}. */
  private static final class Job {
    final Codec.Encoded bytes;
    long id;
    @Nullable Handle worker;
    int attempts;
    /** Time spent encoding it, counted for the first worker it is sent to. */
    long encodeNanos;
    /** Times it was lost with a worker before it began running, and re-sent without using an attempt. */
    int freeResends;
    boolean killScheduled;

    Job(Codec.Encoded bytes) {
      this.bytes = bytes;
    }
  }

  private ProcessPool(Backend.Processes config, PoolOptions options) throws IOException {
    super(config, options);
    this.config = config;
    this.launch = WorkerLaunch.plan(config); // first: a PoolStartException must leave no socket behind
    this.command = launch.command();
    this.codec = new Codec(config.allowClasses(), "a worker process");
    this.initializer = config.initializer() == null ? null : codec.encodeTask(config.initializer()).joined();
    this.dir = Files.createTempDirectory("unipool-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(dir.resolve("pool.sock")));
    this.slots = new Handle[config.workers()];
    this.earlyDeaths = new int[config.workers()];
    this.quietEarlyExits = new int[config.workers()];
    this.launchFailures = new int[config.workers()];
    this.meters = new WorkerMeter[config.workers()];
    for (int i = 0; i < meters.length; i++) {
      meters[i] = new WorkerMeter(this, "worker-" + (i + 1));
    }
  }

  static ProcessPool start(Backend.Processes config, PoolOptions options) {
    ProcessPool pool;
    try {
      pool = new ProcessPool(config, options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set up the worker socket", e);
    }
    Thread.ofPlatform().daemon().name("unipool-" + pool.poolId + "-accept").start(pool::acceptLoop);
    pool.lock.lock();
    try {
      for (int i = 0; i < config.workers(); i++) {
        pool.spawnLocked(i);
      }
    } finally {
      pool.lock.unlock();
    }
    return pool;
  }

  // ---- launching ----

  @SuppressWarnings("FutureReturnValueIgnored") // the exit stage only starts the exit handler
  private void spawnLocked(int slot) {
    String name = "worker-" + (slot + 1);
    byte[] tokenBytes = new byte[32];
    RANDOM.nextBytes(tokenBytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(tokenBytes);
    List<String> cmd = new ArrayList<>(command);
    cmd.add(cmd.size() - config.jvmArgs().size(), "-D" + dev.unipool.Worker.NAME_PROPERTY + "=" + name);
    cmd.add(WorkerMain.class.getName());
    cmd.add(dir.resolve("pool.sock").toString());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    // Unique per worker, and unrelated to the token: the environment is readable by this user.
    String marker = ProcessHandle.current().pid() + "-" + poolId + "-" + name + "-" + Long.toHexString(RANDOM.nextLong());
    pb.environment().put(ProcessTrees.MARKER, marker); // inherited by whatever its tasks start
    Backend.Processes.Output mode = config.output();
    pb.redirectOutput(switch (mode) {
      case PREFIX -> ProcessBuilder.Redirect.PIPE;
      case INHERIT -> ProcessBuilder.Redirect.INHERIT;
      case DISCARD -> ProcessBuilder.Redirect.DISCARD;
    });
    pb.redirectError(mode == Backend.Processes.Output.INHERIT ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.PIPE);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      launchFailedLocked(slot, cmd.getFirst(), e);
      return;
    }
    launchFailures[slot] = 0;
    try {
      OutputStream stdin = process.getOutputStream();
      stdin.write((token + "\n").getBytes(StandardCharsets.US_ASCII));
      stdin.flush(); // stdin stays open: its EOF tells the worker the parent is gone
    } catch (IOException e) {
      // The JVM died at once (bad flags?); its exit is counted as a startup failure below.
    }
    Handle h = new Handle(slot, name, token, marker, process);
    meters[slot].launched(process.pid(), "localhost", true);
    slots[slot] = h;
    live++;
    connecting.put(name, h);
    process.onExit().thenRun(() -> Thread.ofPlatform().daemon().name("unipool-exit-" + name).start(() -> onExit(h)));
  }

  // ---- connecting ----

  private void acceptLoop() {
    while (server.isOpen()) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      // Only this user can reach the socket (0700 directory), but a stuck or hostile local process must
      // still not pile up connections: each holds descriptors until it proves itself or times out.
      if (handshaking.incrementAndGet() > 2 * slots.length + 4) {
        handshaking.decrementAndGet();
        closeQuietly(ch);
        continue;
      }
      Thread.ofVirtual().name("unipool-handshake").start(() -> {
        try {
          handshake(ch);
        } finally {
          handshaking.decrementAndGet();
        }
      });
    }
  }

  private void handshake(SocketChannel ch) {
    FrameWriter.markOwned();
    try {
      // Non-blocking: writes from application threads are then never interruptible, so an interrupt
      // cannot close the channel; reads wait on a selector (ChannelInput).
      ch.configureBlocking(false);
      ChannelInput input = new ChannelInput(ch);
      var timer = TIMER.schedule(() -> closeQuietly(input), AUTH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      DataInputStream in = new DataInputStream(input);
      Frame first = Frame.read(in, 4096); // a Hello is small: refuse anything else before allocating
      if (!(first instanceof Frame.Hello hello)) {
        closeQuietly(ch);
        return;
      }
      Handle h = connecting.get(hello.worker());
      if (h == null || !MessageDigest.isEqual(
          h.token.getBytes(StandardCharsets.US_ASCII), hello.token().getBytes(StandardCharsets.US_ASCII))
          || hello.pid() != h.process.pid()) {
        closeQuietly(ch); // wrong token: not one of ours
        return;
      }
      connecting.remove(hello.worker(), h);
      timer.cancel(false);
      FrameWriter out = new FrameWriter(ch, h.name);
      lock.lock();
      try {
        h.channel = ch;
        h.out = out;
      } finally {
        lock.unlock();
      }
      out.send(new Frame.Init(config.allowClasses(), initializer, codec.writesFory()), true);
      h.reader = Thread.ofPlatform().daemon().name("unipool-" + poolId + "-" + h.name + "-reader").start(() -> readLoop(h, in));
    } catch (IOException e) {
      closeQuietly(ch);
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  private void readLoop(Handle h, DataInputStream in) {
    FrameWriter.markOwned();
    // Tasks this reader hands out in reply to results are flushed once per batch of results read, not
    // once per result: under load one write carries many Run frames.
    List<Handle> touched = new ArrayList<>();
    try {
      Frame f;
      while ((f = Frame.read(in)) != null) {
        switch (f) {
          case Frame.Ready r -> onReady(h);
          case Frame.Started st -> onStarted(h, st.id());
          case Frame.Done d -> onDone(h, d, touched);
          case Frame.Skipped s -> onDone(h, new Frame.Done(s.id(), false, -1, SKIPPED), touched);
          case Frame.InitFailed e -> onInitFailed(h, codec.decodeThrowableJoined(e.error()));
          default -> throw new IOException("unexpected frame from worker: " + f);
        }
        if (!touched.isEmpty() && in.available() == 0) {
          flush(touched);
          touched.clear();
        }
      }
    } catch (IOException e) {
      // the worker is gone or misbehaved; its exit is handled in onExit
    } finally {
      flush(touched); // Run frames handed to other workers in reply to this one's last results
      SocketChannel ch = h.channel;
      if (ch != null) {
        closeQuietly(ch);
      }
      FrameWriter w = h.out;
      if (w != null) {
        w.close();
      }
      closeQuietly(in); // its selector, which closing the channel leaves open
      // A worker whose connection ended must not linger; its exit then fails or re-queues its tasks.
      try {
        if (!h.process.waitFor(3, TimeUnit.SECONDS)) {
          ProcessTrees.killTree(h.process.toHandle());
        }
      } catch (InterruptedException e) {
        ProcessTrees.killTree(h.process.toHandle());
      }
    }
  }

  // ---- events ----

  private void onReady(Handle h) {
    List<Handle> touched = new ArrayList<>();
    lock.lock();
    try {
      h.ready = true;
      meters[h.slot].ready();
      earlyDeaths[h.slot] = 0;
      quietEarlyExits[h.slot] = 0;
      if (stopping && !hasQueuedLocked()) {
        stopIdleLocked();
      }
      assignLocked(touched);
    } finally {
      lock.unlock();
    }
    flush(touched);
  }

  private void onInitFailed(Handle h, Throwable cause) {
    lock.lock();
    try {
      h.expectedExit = true;
      breakLocked(new IllegalStateException("worker initializer failed in " + h.name + ": " + cause, cause));
    } finally {
      lock.unlock();
    }
  }

  @SuppressWarnings({"unchecked", "NullAway"}) // results may be null (Runnable tasks)
  private void onDone(Handle h, Frame.Done d, List<Handle> touched) {
    TaskRun<Object> run;
    lock.lock();
    try {
      run = (TaskRun<Object>) h.inFlight.remove(d.id());
      if (run != null) {
        meters[h.slot].taskDone(d.runNanos() >= 0);
      }
      if (d.runNanos() >= 0) {
        h.completed++;
        h.avgRunNanos = h.avgRunNanos < 0 ? d.runNanos() : 0.8 * h.avgRunNanos + 0.2 * d.runNanos();
        if (config.recycleAfter() > 0 && h.completed >= config.recycleAfter()) {
          h.retiring = true;
        }
      }
      if (h.retiring && h.inFlight.isEmpty()) {
        stopLocked(h);
      }
      assignLocked(touched);
      if (stopping && !hasQueuedLocked()) {
        stopIdleLocked();
      }
    } finally {
      lock.unlock();
    }
    if (run == null || run.isDone() || d.runNanos() < 0) {
      return; // cancelled or timed out: its outcome is already set
    }
    // Decoded here, checked after: a stage attached while decoding is then seen.
    Object value = null;
    Throwable failure = null;
    long decodeStart = System.nanoTime();
    if (d.ok()) {
      try {
        value = codec.decode(d.payload());
      } catch (IOException | ClassNotFoundException | RuntimeException e) {
        failure = new IllegalStateException("cannot decode the task's result: " + e, e);
      }
    } else {
      failure = codec.decodeThrowable(d.payload());
    }
    meters[h.slot].decoded(System.nanoTime() - decodeStart);
    if (run.attachment instanceof Job job) {
      run.transferred(job.bytes.body().length + 1, d.payload().body().length + 1);
    }
    if (!run.hasDependentStages()) {
      finish(run, value, failure); // only wakes threads waiting in get/join
      return;
    }
    // Completing runs the user's callbacks, which must not run on (let alone block) this reader: a
    // callback waiting for another result from the same worker would wait forever. Counted, so that
    // close() and awaitTermination() wait for these completions too.
    lock.lock();
    try {
      pendingCompletions++;
    } finally {
      lock.unlock();
    }
    TaskRun<Object> r = run;
    Object v = value;
    Throwable f = failure;
    COMPLETIONS.execute(() -> {
      try {
        finish(r, v, f);
      } finally {
        lock.lock();
        try {
          if (--pendingCompletions == 0) {
            allExited.signalAll();
          }
        } finally {
          lock.unlock();
        }
      }
    });
  }

  @SuppressWarnings("NullAway") // results may be null (Runnable tasks)
  private static void finish(TaskRun<Object> run, @Nullable Object value, @Nullable Throwable failure) {
    if (failure == null) {
      run.complete(value);
    } else {
      run.completeExceptionally(failure);
    }
  }

  /** A task that asked to report its start ({@link Frame.Run#reportStart}) began: its timeout starts now. */
  private void onStarted(Handle h, long id) {
    TaskRun<?> run;
    lock.lock();
    try {
      run = h.inFlight.get(id);
    } finally {
      lock.unlock();
    }
    if (run != null && !run.start(h.info)) {
      cancelRunning(run, true); // cancelled while on its way: the worker must stop it
    }
  }

  private void onExit(Handle h) {
    Thread reader = h.reader;
    if (reader != null) {
      try {
        reader.join(10_000); // results already on the socket are delivered before the exit is judged
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // Processes its tasks started die with it; they may also hold its output pipes open, which would
    // keep the pumps below from seeing the end of the output.
    ProcessTrees.killMarked(h.marker);
    if (h.stdout != null) {
      h.stdout.tail(2_000); // wait for its last lines too; the text comes from the shared tail below
    }
    String tail = h.stderr == null ? "" : h.stderr.tail(2_000);
    int code = h.process.exitValue();
    Integer exitCode = code > 128 ? null : code;
    Integer signal = code > 128 ? code - 128 : null;
    StartedMark.Progress progress = StartedMark.readAndDelete(StartedMark.file(dir.resolve("pool.sock"), h.process.pid()));
    boolean killedFromOutside = !h.killed && isOutsideKill(code);
    List<Handle> touched = new ArrayList<>();
    Map<TaskRun<?>, String> failed = new LinkedHashMap<>();
    lock.lock();
    try {
      meters[h.slot].exited(exitCode, signal, h.killed ? "killed by the pool to stop a cancelled or timed-out task"
          : h.expectedExit ? "stopped by the pool" : killedFromOutside ? "killed from outside" : "exited on its own");
      h.dead = true;
      live--;
      connecting.remove(h.name, h);
      List<TaskRun<?>> lost = new ArrayList<>(h.inFlight.values());
      h.inFlight.clear();
      // In order of sending, which is the order the worker runs them in (see StartedMark). The one
      // running its own code may be what killed the worker: re-running it uses up an attempt. Earlier
      // ones finished, but their results (flushed in batches) died with it: they did not kill the worker,
      // and failing them would break crash isolation (only the running task fails), so they run again
      // and use up nothing. A task still being decoded is charged only if the worker died by itself (a
      // crash in its readObject, say), not when it was killed from outside; the rest were only
      // prefetched. All of these are re-sent as they are, but no task is re-sent for free without end.
      List<TaskRun<?>> again = new ArrayList<>(lost.size());
      for (TaskRun<?> r : lost) {
        Job job = (Job) r.attachment;
        if (r.isDone() || job == null) {
          continue;
        }
        boolean finished = job.id < progress.began();
        boolean decoding = job.id == progress.began() && job.id != progress.running();
        boolean running = job.id == progress.running() && !finished;
        boolean free = job.id > progress.began() || finished || (decoding && killedFromOutside);
        if (free && ++job.freeResends <= MAX_FREE_RESENDS) {
          again.add(r);
        } else if (!finished && job.attempts < r.retries()) {
          job.attempts++;
          again.add(r);
        } else {
          failed.put(r, h.killed ? "killed by the pool to stop a cancelled or timed-out task"
              : running ? "the task was running"
              : decoding ? "the task was being decoded"
              : finished ? "the task had finished, but its result was lost with the worker"
              : "the task was lost with " + MAX_FREE_RESENDS + " workers in a row before it could start");
        }
      }
      for (int i = again.size() - 1; i >= 0; i--) {
        queue.addFirst(again.get(i));
      }
      if (slots[h.slot] == h) {
        slots[h.slot] = null;
        boolean needed = !stopping || hasQueuedLocked();
        if (broken == null && needed) {
          replaceLocked(h, code, tail);
        }
      }
      RuntimeException b = broken;
      if (b != null) {
        // No worker will come back: what this exit re-queued must fail, not wait forever.
        for (TaskRun<?> r : queue) {
          r.completeExceptionally(b);
        }
        queue.clear();
      }
      assignLocked(touched);
      if (stopping && !hasQueuedLocked()) {
        stopIdleLocked();
      }
      exitedLocked();
    } finally {
      lock.unlock();
    }
    flush(touched);
    failed.forEach((r, detail) ->
        r.completeExceptionally(new WorkerCrashedException(h.name, h.process.pid(), exitCode, signal, tail, detail)));
  }

  /** After a worker's exit or a respawn that was called off: wakes waiters and closes up once none is left. */
  private void exitedLocked() {
    if (live == 0 && respawnsPending == 0) {
      allExited.signalAll();
      if (stopping || broken != null) {
        closeServer();
      }
    }
  }

  /**
   * Starts a replacement for {@code dead}, or breaks the pool if the way it died shows that workers
   * cannot start at all. A worker killed by a signal from outside (an operator, the OOM killer, a
   * container runtime) says nothing about the configuration, whenever it happens: it is replaced, after a
   * growing delay if its slot keeps losing workers before they become ready, so a killer that strikes at
   * every start does not make the pool spin.
   */
  private void replaceLocked(Handle dead, int code, String tail) {
    int slot = dead.slot;
    if (dead.ready || dead.expectedExit) {
      spawnLocked(slot);
      return;
    }
    boolean killedFromOutside = isOutsideKill(code);
    if (!killedFromOutside && code != 0) {
      // It exited on its own before saying it was ready: the JVM refused its flags, the main class is
      // missing, it ran out of memory starting, or it crashed. A new worker would do the same.
      breakLocked(new IllegalStateException("worker process " + dead.name + " could not start (exit code " + code
          + (code > 128 ? ", signal " + (code - 128) : "") + "): check the class path, jvmArgs and heap of "
          + "Backend.processes(...); its last output lines:\n" + tail));
      return;
    }
    if (!killedFromOutside && ++quietEarlyExits[slot] >= MAX_QUIET_STARTUP_EXITS) {
      breakLocked(new IllegalStateException("worker processes keep exiting before they connect to the pool ("
          + quietEarlyExits[slot] + " in a row, exit code 0); their last output lines:\n" + tail));
      return;
    }
    int deaths = ++earlyDeaths[slot];
    if (deaths <= RESPAWN_AT_ONCE) {
      spawnLocked(slot);
      return;
    }
    respawnLaterLocked(slot, deaths - RESPAWN_AT_ONCE);
  }

  /**
   * The JVM could not be launched. A missing or unusable {@code java} will not get better; anything else
   * (the spawn helper killed from outside, a passing shortage of memory or processes) is tried again
   * after a delay, a few times in a row at most.
   */
  private void launchFailedLocked(int slot, String java, IOException e) {
    Path binary = Path.of(java);
    if (!Files.isExecutable(binary) || ++launchFailures[slot] > MAX_QUIET_STARTUP_EXITS) {
      breakLocked(new IllegalStateException("cannot start worker process " + java + ": " + e.getMessage(), e));
      exitedLocked(); // nothing was started: whoever waits for the pool to end must not wait for it
      return;
    }
    respawnLaterLocked(slot, launchFailures[slot]);
  }

  /** Spawns a worker for {@code slot} after a delay that doubles with {@code attempt} (1, 2, ...). */
  @SuppressWarnings("FutureReturnValueIgnored") // a timer action that checks the state itself
  private void respawnLaterLocked(int slot, int attempt) {
    long delay = Math.min(MAX_RESPAWN_DELAY_MILLIS, 50L << Math.min(10, attempt));
    respawnsPending++;
    TIMER.schedule(() -> {
      lock.lock();
      try {
        respawnsPending--;
        if (slots[slot] == null && broken == null && (!stopping || hasQueuedLocked())) {
          spawnLocked(slot);
        } else {
          exitedLocked();
        }
      } finally {
        lock.unlock();
      }
    }, delay, TimeUnit.MILLISECONDS);
  }

  /** Whether an exit status is that of a signal others send to stop a process: KILL, TERM, INT, HUP. */
  private static boolean isOutsideKill(int code) {
    return code == 128 + 9 || code == 128 + 15 || code == 128 + 2 || code == 128 + 1;
  }

  /**
   * Whether the queue holds a task still to run. Drops finished (cancelled, timed-out) tasks from its
   * head, so that they never keep a shutting-down pool waiting for work that will not come.
   */
  private boolean hasQueuedLocked() {
    TaskRun<?> head;
    while ((head = queue.peekFirst()) != null && head.isDone()) {
      queue.pollFirst();
    }
    return head != null;
  }

  /** Marks the pool unusable: fails queued tasks with {@code failure} and rejects later submits. */
  private void breakLocked(RuntimeException failure) {
    if (broken != null) {
      return;
    }
    broken = failure;
    List<TaskRun<?>> queued = new ArrayList<>(queue);
    queue.clear();
    for (TaskRun<?> r : queued) {
      r.completeExceptionally(failure);
    }
    for (Handle h : slots) {
      if (h != null && !h.dead) {
        h.expectedExit = true;
        ProcessTrees.killTree(h.process.toHandle());
      }
    }
  }

  private void closeServer() {
    closeQuietly(server);
    try {
      Files.deleteIfExists(dir.resolve("pool.sock"));
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a leftover empty private directory in tmp is harmless
    }
  }

  // ---- dispatch ----

  /** A clock read is noise next to a round trip to another process: always record timings. */
  @Override
  protected boolean recordsTimings() {
    return true;
  }

  @Override
  protected @Nullable Object prepare(Callable<?> task) {
    launch.checkTask(task.getClass());
    long start = System.nanoTime();
    Job job = new Job(codec.encodeTask(task));
    job.encodeNanos = System.nanoTime() - start;
    return job;
  }

  @Override
  protected void dispatch(TaskRun<?> run) {
    List<Handle> touched = new ArrayList<>(1);
    lock.lock();
    try {
      RuntimeException b = broken;
      if (b != null) {
        throw new RejectedExecutionException("the process pool is broken: " + b.getMessage(), b);
      }
      if (stopping) {
        throw new RejectedExecutionException("the process pool is shut down");
      }
      queue.addLast(run);
      assignLocked(touched);
    } finally {
      lock.unlock();
    }
    flush(touched);
  }

  private void assignLocked(List<Handle> touched) {
    while (!queue.isEmpty()) {
      TaskRun<?> run = queue.peekFirst();
      if (run.isDone()) {
        queue.pollFirst();
        continue;
      }
      Handle w = pickLocked(run.timeout() != null);
      if (w == null) {
        return;
      }
      queue.pollFirst();
      // A task with a timeout is started when the worker says it began (onStarted), so its clock does
      // not run while a fresh worker loads classes to decode it; the others start when sent.
      boolean timed = run.timeout() != null;
      if (timed ? run.isDone() : !run.start(w.info)) {
        continue;
      }
      Job job = (Job) run.attachment;
      if (job == null) {
        run.completeExceptionally(new IllegalStateException("task was not prepared"));
        continue;
      }
      job.id = ++nextId;
      job.worker = w;
      job.killScheduled = false;
      w.inFlight.put(job.id, run);
      meters[w.slot].taskSent(job.encodeNanos);
      job.encodeNanos = 0;
      try {
        w.out().send(new Frame.Run(job.id, timed, job.bytes), false);
        if (run.isDone()) {
          // Cancelled between start() and now: cancel() may have missed it, so tell the worker here.
          w.out().send(new Frame.Cancel(job.id), false);
        }
      } catch (IOException e) {
        // the worker is dying; its exit re-queues this task
      }
      if (!touched.contains(w)) {
        touched.add(w);
      }
    }
  }

  /** The ready worker with the fewest tasks and room in its window; an idle one if {@code idle}. */
  private @Nullable Handle pickLocked(boolean idle) {
    Handle best = null;
    for (Handle h : slots) {
      if (h == null || !h.ready || h.retiring || h.dead || h.stopSent) {
        continue;
      }
      int n = h.inFlight.size();
      if (idle ? n > 0 : n >= h.window()) {
        continue;
      }
      if (best == null || n < best.inFlight.size()) {
        best = h;
      }
    }
    return best;
  }

  private static void flush(List<Handle> touched) {
    for (Handle h : touched) {
      try {
        h.out().flush();
      } catch (IOException e) {
        // dying worker: handled on exit
      }
    }
  }

  // ---- cancellation and shutdown ----

  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // the kill timer checks the job is still running
  protected void cancelRunning(TaskRun<?> run, boolean interrupt) {
    Handle w;
    long id;
    lock.lock();
    try {
      Job job = (Job) run.attachment;
      if (job == null || job.worker == null || !job.worker.inFlight.containsKey(job.id)) {
        return;
      }
      w = job.worker;
      id = job.id;
      if (interrupt && !job.killScheduled) {
        job.killScheduled = true;
        TIMER.schedule(() -> killIfStillRunning(w, id), config.killGrace().toNanos(), TimeUnit.NANOSECONDS);
      }
    } finally {
      lock.unlock();
    }
    try {
      w.out().send(new Frame.Cancel(id), true);
    } catch (IOException e) {
      // dying worker: handled on exit
    }
  }

  private void killIfStillRunning(Handle w, long id) {
    lock.lock();
    try {
      // Only the oldest task on a worker is running; a queued one is skipped by the worker, never killed for.
      if (w.dead || w.inFlight.isEmpty() || w.inFlight.firstEntry().getKey() != id) {
        return;
      }
      w.killed = true;
    } finally {
      lock.unlock();
    }
    ProcessTrees.killTree(w.process.toHandle());
  }

  private void stopLocked(Handle h) {
    if (h.stopSent || h.dead) {
      return;
    }
    h.stopSent = true;
    h.expectedExit = true;
    meters[h.slot].stopping();
    FrameWriter out = h.out;
    if (out == null || !h.ready) {
      h.process.destroyForcibly();
      return;
    }
    try {
      out.send(new Frame.Stop(), true);
    } catch (IOException e) {
      h.process.destroyForcibly();
    }
  }

  private void stopIdleLocked() {
    for (Handle h : slots) {
      if (h != null && h.inFlight.isEmpty()) {
        stopLocked(h);
      }
    }
  }

  @Override
  protected void shutdownBackend() {
    lock.lock();
    try {
      stopping = true;
      if (!hasQueuedLocked()) {
        stopIdleLocked();
      }
      exitedLocked();
    } finally {
      lock.unlock();
    }
  }

  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // the final kill is never called off
  protected List<TaskRun<?>> shutdownBackendNow() {
    List<TaskRun<?>> never;
    List<TaskRun<?>> running = new ArrayList<>();
    List<Handle> all = new ArrayList<>();
    lock.lock();
    try {
      stopping = true;
      never = new ArrayList<>(queue);
      queue.clear();
      for (Handle h : slots) {
        if (h != null) {
          // Only the oldest task on a worker has started; the others are prefetched and never ran.
          boolean first = true;
          for (TaskRun<?> r : h.inFlight.values()) {
            (first ? running : never).add(r);
            first = false;
          }
          all.add(h);
        }
      }
    } finally {
      lock.unlock();
    }
    for (TaskRun<?> r : running) {
      r.cancel(true); // interrupt, then kill after the grace period
    }
    // Whatever is still alive after the grace period is killed: no worker outlives the pool.
    TIMER.schedule(() -> all.forEach(h -> ProcessTrees.killTree(h.process.toHandle())),
        config.killGrace().toNanos() + TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.NANOSECONDS);
    lock.lock();
    try {
      stopIdleLocked();
    } finally {
      lock.unlock();
    }
    return never;
  }

  @Override
  protected boolean awaitBackend(long nanos) throws InterruptedException {
    lock.lock();
    try {
      long left = nanos;
      while (!terminatedLocked()) {
        if (left <= 0) {
          return false;
        }
        left = allExited.awaitNanos(left);
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
      return terminatedLocked();
    } finally {
      lock.unlock();
    }
  }

  private boolean terminatedLocked() {
    return stopping && live == 0 && respawnsPending == 0 && pendingCompletions == 0;
  }

  /** One entry per worker slot, from the meters the events above keep up to date. */
  @Override
  protected List<WorkerStats> workerStats() {
    List<WorkerStats> out = new ArrayList<>(meters.length);
    for (WorkerMeter m : meters) {
      out.add(m.snapshot());
    }
    return out;
  }

  /** Process ids of the live workers, for tests and diagnostics. */
  List<Long> workerPids() {
    lock.lock();
    try {
      List<Long> pids = new ArrayList<>();
      for (Handle h : slots) {
        if (h != null && !h.dead) {
          pids.add(h.process.pid());
        }
      }
      return pids;
    } finally {
      lock.unlock();
    }
  }

  /** Parent-side state of one worker process. Mutable fields are guarded by the pool's lock. */
  private final class Handle {
    final int slot;
    final String name;
    final String token;
    final String marker;
    final Process process;
    final WorkerInfo info;
    final @Nullable OutputPump stderr;
    final @Nullable OutputPump stdout;
    final LinkedHashMap<Long, TaskRun<?>> inFlight = new LinkedHashMap<>();
    volatile @Nullable SocketChannel channel;
    volatile @Nullable FrameWriter out;
    volatile @Nullable Thread reader;
    boolean ready;
    boolean retiring;
    boolean stopSent;
    boolean expectedExit;
    boolean dead;
    boolean killed;
    int completed;
    double avgRunNanos = -1;

    Handle(int slot, String name, String token, String marker, Process process) {
      this.slot = slot;
      this.name = name;
      this.token = token;
      this.marker = marker;
      this.process = process;
      this.info = new WorkerInfo(process.pid(), name, "unipool-task", "localhost");
      Backend.Processes.Output mode = config.output();
      String prefix = "[" + name + "] ";
      java.util.ArrayDeque<String> tail = new java.util.ArrayDeque<>();
      this.stdout = mode == Backend.Processes.Output.PREFIX
          ? new OutputPump(process.getInputStream(), OutputPump.STDOUT, prefix, "unipool-" + name + "-stdout", tail)
          : null;
      this.stderr = mode == Backend.Processes.Output.INHERIT
          ? null
          : new OutputPump(process.getErrorStream(), mode == Backend.Processes.Output.PREFIX ? OutputPump.STDERR : null,
              prefix, "unipool-" + name + "-stderr", tail);
    }

    FrameWriter out() {
      FrameWriter o = out;
      if (o == null) {
        throw new IllegalStateException(name + " is not connected");
      }
      return o;
    }

    /** Tasks to keep in flight: deep for tiny tasks (keeps the socket busy), one for long ones (fairness). */
    int window() {
      if (avgRunNanos < 0) {
        return 1; // nothing measured yet: a first task may be long, so don't queue a second behind it
      }
      if (avgRunNanos > 5_000_000) {
        return 1;
      }
      return (int) Math.max(2, Math.min(64, 1 + 200_000 / Math.max(1.0, avgRunNanos)));
    }
  }

  @Override
  public String toString() {
    return super.toString() + " workers " + workerPids();
  }

}
