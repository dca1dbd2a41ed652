package dev.unipool.process.internal;

import dev.unipool.Backend;
import dev.unipool.PoolOptions;
import dev.unipool.Shared;
import dev.unipool.Worker;
import dev.unipool.WorkerCrashedException;
import dev.unipool.WorkerStats;
import dev.unipool.remote.Codec;
import dev.unipool.remote.Loss;
import dev.unipool.remote.Lost;
import dev.unipool.remote.RemotePool;
import dev.unipool.remote.RemoteTask;
import dev.unipool.remote.Reply;
import dev.unipool.spi.WorkerMeter;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A pool of worker JVMs: the transport under {@link RemotePool}.
 *
 * <p>Overview: each worker is a JVM this pool launches ({@link WorkerLaunch}), which connects back over a
 * Unix-domain socket in a private directory and proves itself with a token it read from stdin. Frames
 * ({@link Frame}) carry tasks in and replies out; a reader thread per worker turns replies into
 * {@link #answered} calls. A worker runs its tasks in order on one thread, so the oldest task it holds is
 * the only one that may have begun; the prefetch window adapts to measured task length. When a worker
 * dies, its {@link StartedMark} tells how far each of its tasks got, which decides what re-running it costs
 * ({@link #lossOf}); the worker is replaced, or the pool breaks, as {@link RespawnPolicy} decides.
 */
final class ProcessPool extends RemotePool<WorkerHandle> {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Backend.Processes config;
  private final byte @Nullable [] initializer;
  private final int poolId = IDS.incrementAndGet();
  private final WorkerSocket socket;
  /** The socket's private directory; also holds the workers' {@link StartedMark} files. */
  private final Path dir;
  /** Shared memory for large payloads and {@link #share}; null when off or unavailable. */
  private final @Nullable ShmDir shm = ShmDir.create();
  /** How workers start; fitted to how this JVM was launched, and checked before any worker starts. */
  private final WorkerLaunch launch;
  private final List<String> command;

  private final @Nullable WorkerHandle[] slots;
  private final RespawnPolicy respawns;
  /** Per slot, for stats(): kept across the workers that replace each other in it. */
  private final WorkerMeter[] meters;
  private int live;
  /** Whether workers 2..n still wait for the first to be ready ({@link #deferRestLocked}). */
  private boolean restDeferred;
  /** When tasks and results switch to Fory. Guarded by the lock. */
  private final ForyHandshake fory;
  /** Slots whose replacement is waiting out a back-off delay; they count as live until respawned. */
  private int respawnsPending;

  private ProcessPool(Backend.Processes config, PoolOptions options, WorkerLaunch launch) throws IOException {
    super(config, options, new Codec(config.allowClasses(), "a worker process"), "process pool", true, 0);
    this.fory = new ForyHandshake(codec);
    this.config = config;
    this.launch = launch;
    this.command = launch.command();
    // The initializer travels inside the Init frame, so it must fit one array: encoded before the limit rises.
    this.initializer = config.initializer() == null ? null : codec.encodeTask(config.initializer()).joined();
    ShmDir d = shm;
    if (d != null) {
      codec.allowLargeWire(() -> Region.room(d.path)); // tasks over 2 GB go through the regions
    }
    this.socket = new WorkerSocket(config.workers(), TIMER, this::connected);
    this.dir = socket.dir;
    this.slots = new WorkerHandle[config.workers()];
    this.respawns = new RespawnPolicy(config.workers());
    this.meters = new WorkerMeter[config.workers()];
    for (int i = 0; i < meters.length; i++) {
      meters[i] = new WorkerMeter(this, "worker-" + (i + 1));
    }
  }

  static ProcessPool start(Backend.Processes config, PoolOptions options) {
    WorkerLaunch launch = WorkerLaunch.plan(config); // first: a PoolStartException must leave no socket behind
    ProcessPool pool;
    try {
      pool = new ProcessPool(config, options, launch);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set up the worker socket", e);
    }
    pool.socket.start("unipool-" + pool.poolId + "-accept");
    pool.codec.onForyReaderBuilt(pool::parentReadsFory); // after construction: it may run at once
    pool.lock.lock();
    try {
      pool.spawnLocked(0);
      pool.deferRestLocked();
    } finally {
      pool.lock.unlock();
    }
    return pool;
  }

  /**
   * The longest the other workers wait for the first to be ready. Normally it is ready within 100–200 ms;
   * on a machine so loaded that it takes longer, waiting longer would only delay the rest.
   */
  private static final long DEFER_MAX_MILLIS = 300;

  /**
   * Starts the other workers once the first is ready (or has died, or after {@link #DEFER_MAX_MILLIS}),
   * rather than all at once: JVMs booting side by side on the same cores each boot slower, and the first
   * result waits for the first worker. Measured on 2 cores, first result 250–300 ms → 160–190 ms, while
   * all workers are ready as soon as before (~245 ms: booting is CPU-bound either way). They then start
   * together, and count as a pending respawn until they do, so the pool does not terminate without them.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // startDeferred checks whether it is still needed
  private void deferRestLocked() {
    if (config.workers() > 1) {
      restDeferred = true;
      respawnsPending++;
      TIMER.schedule(this::startDeferred, DEFER_MAX_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void startDeferred() {
    lock.lock();
    try {
      startDeferredLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Starts the workers {@link #deferRestLocked} held back, unless already started or no longer needed. */
  private void startDeferredLocked() {
    if (!restDeferred) {
      return;
    }
    restDeferred = false;
    respawnsPending--;
    for (int i = 1; i < slots.length; i++) {
      if (slots[i] == null && brokenCause() == null && (!stopping() || hasQueuedLocked())) {
        spawnLocked(i);
      }
    }
    exitedLocked(); // a pool shut down before they started may have nothing left to wait for
  }

  // ---- launching ----

  @SuppressWarnings("FutureReturnValueIgnored") // the exit hook and its thread report through onExit, not through a future
  private void spawnLocked(int slot) {
    String name = "worker-" + (slot + 1);
    byte[] tokenBytes = new byte[32];
    RANDOM.nextBytes(tokenBytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(tokenBytes);
    List<String> cmd = new ArrayList<>(command);
    cmd.add(cmd.size() - config.jvmArgs().size(), "-D" + Worker.NAME_PROPERTY + "=" + name);
    List<String> cacheFlags = launch.startupCache().flagsForNextWorker();
    cmd.addAll(cmd.size() - config.jvmArgs().size(), cacheFlags);
    cmd.add(WorkerMain.class.getName());
    cmd.add(socket.path().toString());
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
      respawnLocked(slot, respawns.launchFailed(slot, cmd.getFirst(), e));
      return;
    }
    respawns.launched(slot);
    launch.startupCache().started(process, cacheFlags);
    try {
      OutputStream stdin = process.getOutputStream();
      stdin.write((token + "\n").getBytes(StandardCharsets.US_ASCII));
      stdin.flush(); // stdin stays open: its EOF tells the worker the parent is gone
    } catch (IOException e) {
      // The JVM died at once (bad flags?); its exit is counted as a startup failure below.
    }
    WorkerHandle h = new WorkerHandle(slot, name, token, marker, process, meters[slot], mode, codec::sharedKey);
    h.fromCache = !cacheFlags.isEmpty();
    meters[slot].launched(process.pid(), "localhost", true);
    slots[slot] = h;
    int at = 0;
    while (at < workers.size() && workers.get(at).slot < slot) {
      at++;
    }
    workers.add(at, h); // in slot order: ties go to the lowest slot
    fory.workersChangedLocked(workers);
    live++;
    socket.expect(h);
    process.onExit().thenRun(() -> Thread.ofPlatform().daemon().name("unipool-exit-" + name).start(() -> onExit(h)));
  }

  /** Spawns a worker for {@code slot} now or later, or breaks the pool, as {@code decision} says. */
  @SuppressWarnings("FutureReturnValueIgnored") // the delayed respawn checks the pool state itself
  private void respawnLocked(int slot, RespawnPolicy.Decision decision) {
    IllegalStateException failure = decision.failure();
    if (failure != null) {
      breakLocked(failure);
      exitedLocked(); // when nothing was started, whoever waits for the pool to end must not wait for it
    } else if (decision.delayMillis() == 0) {
      spawnLocked(slot);
    } else {
      respawnsPending++;
      TIMER.schedule(() -> {
        lock.lock();
        try {
          respawnsPending--;
          if (slots[slot] == null && brokenCause() == null && (!stopping() || hasQueuedLocked())) {
            spawnLocked(slot);
          } else {
            exitedLocked();
          }
        } finally {
          lock.unlock();
        }
      }, decision.delayMillis(), TimeUnit.MILLISECONDS);
    }
  }

  // ---- connecting ----

  /** A worker proved itself: it gets its settings, and a reader thread for its frames. */
  private void connected(WorkerHandle h, SocketChannel ch, ChannelInput in) throws IOException {
    FrameWriter out = new FrameWriter(ch, h.name);
    lock.lock();
    try {
      h.channel = ch;
      h.out = out;
    } finally {
      lock.unlock();
    }
    ShmDir d = shm;
    Region.In region = null;
    if (d != null) {
      long pid = h.process.pid();
      out.useRegion(new Region.Out(d.path, pid + "-in-"));
      region = new Region.In(d.path, pid + "-out-");
    }
    out.send(new Frame.Init(config.allowClasses(), initializer, codec.writesFory(), d == null ? "" : d.path.toString()), true);
    boolean tell;
    lock.lock();
    try {
      tell = fory.initSentLocked(h);
    } finally {
      lock.unlock();
    }
    if (tell) {
      ForyHandshake.tell(out);
    }
    Region.In r = region;
    h.reader = Thread.ofPlatform().daemon().name("unipool-" + poolId + "-" + h.name + "-reader").start(() -> readLoop(h, in, r));
  }

  private void readLoop(WorkerHandle h, ChannelInput buffered, Region.@Nullable In region) {
    FrameWriter.markOwned();
    DataInputStream in = new DataInputStream(buffered); // buffers nothing of its own: see Frame.nextIsBuffered
    // Tasks this reader hands out in reply to results are flushed once per batch of results read, not
    // once per result: under load one write carries many Run frames. The answers of a batch are settled
    // together, under one hold of the pool's lock.
    List<WorkerHandle> touched = new ArrayList<>();
    List<Answer> answers = new ArrayList<>();
    try {
      Frame f;
      while ((f = Frame.read(in, Frame.MAX_FRAME, region)) != null) {
        // Type tests, not a pattern switch: see Frame#write (this runs in the application's first pool too).
        if (f instanceof Frame.Done d) {
          Reply.Status status = d.ok() ? Reply.Status.OK : Reply.Status.FAILED;
          answers.add(new Answer(d.id(), new Reply(status, d.payload(), d.runNanos())));
        } else if (f instanceof Frame.Skipped s) {
          answers.add(new Answer(s.id(), Reply.skipped()));
        } else {
          settle(h, answers, touched); // what came before this frame, first
          if (f instanceof Frame.Started st) {
            started(h, st.id());
          } else if (f instanceof Frame.Ready) {
            onReady(h);
          } else if (f instanceof Frame.InitFailed e) {
            onInitFailed(h, codec.decodeThrowableJoined(e.error()));
          } else if (f instanceof Frame.ForyReady) {
            workerReadsFory(h);
          } else {
            throw new IOException("unexpected frame from worker: " + f);
          }
        }
        if (!Frame.nextIsBuffered(buffered)) {
          settle(h, answers, touched);
          if (!touched.isEmpty() && buffered.available() == 0) {
            flush(touched);
            touched.clear();
          }
        }
      }
    } catch (IOException e) {
      // the worker is gone or misbehaved; its exit is handled in onExit
    } finally {
      settle(h, answers, touched); // answers read before the end: their tasks must not run again
      flush(touched); // Run frames handed to other workers in reply to this one's last results
      SocketChannel ch = h.channel;
      if (ch != null) {
        WorkerSocket.closeQuietly(ch);
      }
      FrameWriter w = h.out;
      if (w != null) {
        w.close();
      }
      WorkerSocket.closeQuietly(in); // its selector, which closing the channel leaves open
      if (region != null) {
        region.close();
      }
      // A worker whose connection ended must not linger; its exit then fails or re-queues its tasks.
      try {
        // The startup cache's recorder writes the JDK's AOT configuration as it exits, which takes seconds.
        if (!h.process.waitFor(launch.startupCache().recorder(h.process) ? 60 : 3, TimeUnit.SECONDS)) {
          ProcessTrees.killTree(h.process.toHandle());
        }
      } catch (InterruptedException e) {
        ProcessTrees.killTree(h.process.toHandle());
      }
    }
  }

  /** Settles the answers read so far, if any, and empties the list (even if settling fails: never twice). */
  private void settle(WorkerHandle h, List<Answer> answers, List<WorkerHandle> touched) {
    if (!answers.isEmpty()) {
      try {
        answered(h, answers, false, touched);
      } finally {
        answers.clear();
      }
    }
  }

  // ---- events ----

  /** Whether tasks go in Fory's form by now (for tests: the switch waits for every worker's word). */
  boolean writesFory() {
    return codec.writesFory();
  }

  /** This JVM's Fory reader is built: workers may send Fory results from now on. */
  private void parentReadsFory() {
    List<FrameWriter> tell;
    lock.lock();
    try {
      tell = fory.parentReadsLocked(workers);
    } finally {
      lock.unlock();
    }
    tell.forEach(ForyHandshake::tell);
  }

  private void workerReadsFory(WorkerHandle h) {
    lock.lock();
    try {
      fory.workerReadsLocked(h, workers);
    } finally {
      lock.unlock();
    }
  }

  private void onReady(WorkerHandle h) {
    List<WorkerHandle> touched = new ArrayList<>();
    lock.lock();
    try {
      if (restDeferred) {
        TIMER.execute(this::startDeferred); // not on this thread: forking them would hold up its first task
      }
      h.ready = true;
      changed.signalAll(); // for awaitReady
      meters[h.slot].ready();
      respawns.ready(h.slot);
      idleCheckLocked();
      assignLocked(touched);
    } finally {
      lock.unlock();
    }
    flush(touched);
  }

  private void onInitFailed(WorkerHandle h, Throwable cause) {
    lock.lock();
    try {
      h.expectedExit = true;
      breakLocked(new IllegalStateException("worker initializer failed in " + h.name + ": " + cause, cause));
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected void answeredLocked(WorkerHandle h, Reply reply) {
    if (reply.runNanos() >= 0) {
      h.ranLocked(reply.runNanos(), config.recycleAfter());
    }
    if (h.retiring && h.loadLocked() == 0) {
      stopLocked(h);
    }
  }

  private void onExit(WorkerHandle h) {
    Thread reader = h.reader;
    if (reader != null) {
      try {
        reader.join(10_000); // results already on the socket are delivered before the exit is judged
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    FrameWriter out = h.out;
    if (out != null) {
      // The reader closes it when the connection ends, unless the reader itself is the thread writing to
      // this worker and waiting for its region (a payload over 2 GB), which a dead worker never frees.
      out.close();
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
    StartedMark.Progress progress = StartedMark.readAndDelete(StartedMark.file(socket.path(), h.process.pid()));
    ShmDir d = shm;
    if (d != null) {
      d.deleteWorkerFiles(h.process.pid()); // regions it made that its reader never mapped (killed mid-send)
    }
    boolean killed = h.killedByPool();
    boolean killedFromOutside = !killed && RespawnPolicy.isOutsideKill(code);
    List<WorkerHandle> touched = new ArrayList<>();
    List<Lost> failed;
    lock.lock();
    try {
      meters[h.slot].exited(exitCode, signal, killed ? "killed by the pool to stop a cancelled or timed-out task"
          : h.expectedExit ? "stopped by the pool" : killedFromOutside ? "killed from outside" : "exited on its own");
      live--;
      socket.forget(h);
      workers.remove(h);
      fory.workersChangedLocked(workers);
      failed = lostAllLocked(h, task -> lossOf(task, progress, killed, killedFromOutside));
      if (slots[h.slot] == h) {
        slots[h.slot] = null;
        if (brokenCause() == null && (!stopping() || hasQueuedLocked())) {
          boolean cacheRefused = !h.ready && !h.expectedExit && h.fromCache && code != 0 && !killedFromOutside
              && launch.startupCache().startFailed(tail);
          respawnLocked(h.slot, cacheRefused ? RespawnPolicy.Decision.NOW
              : respawns.exited(h.slot, h.name, h.ready || h.expectedExit, code, tail));
        }
      }
      startDeferredLocked(); // the first worker died before connecting: the others need not wait for it
      assignLocked(touched);
      idleCheckLocked();
      exitedLocked();
    } finally {
      lock.unlock();
    }
    flush(touched);
    for (Lost lost : failed) {
      lost.task().run().completeExceptionally(
          new WorkerCrashedException(h.name, h.process.pid(), exitCode, signal, tail, lost.detail()));
    }
  }

  /**
   * What losing {@code task} with its worker costs, in the order of sending, which is the order the
   * worker runs them in (see {@link StartedMark}). The one running its own code may be what killed the
   * worker: re-running it uses up an attempt. Earlier ones finished, but their results (flushed in
   * batches) died with it: they did not kill the worker, and failing them would break crash isolation
   * (only the running task fails), so they run again and use up nothing. A task still being decoded is
   * charged only if the worker died by itself (a crash in its readObject, say), not when it was killed
   * from outside; the rest were only prefetched.
   */
  private static Loss lossOf(RemoteTask task, StartedMark.Progress progress, boolean killed, boolean killedFromOutside) {
    long id = task.id();
    boolean finished = id < progress.began();
    boolean decoding = id == progress.began() && id != progress.running();
    boolean running = id == progress.running() && !finished;
    boolean free = id > progress.began() || finished || (decoding && killedFromOutside);
    String detail = killed ? "killed by the pool to stop a cancelled or timed-out task"
        : running ? "the task was running"
        : decoding ? "the task was being decoded"
        : finished ? "the task had finished, but its result was lost with the worker"
        : "the task was lost with " + MAX_FREE_RESENDS + " workers in a row before it could start";
    return new Loss(free, !finished, detail);
  }

  /** After a worker's exit or a respawn that was called off: wakes waiters and closes up once none is left. */
  private void exitedLocked() {
    if (live == 0 && respawnsPending == 0) {
      changed.signalAll();
      if (stopping() || brokenCause() != null) {
        socket.close();
        ShmDir d = shm;
        if (d != null) {
          d.delete();
        }
      }
    }
  }

  // ---- waiting for start-up ----

  /** Waits on the pool's condition, signalled when a worker becomes ready, the pool breaks or shuts down. */
  @Override
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    long left = timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        RuntimeException broken = brokenCause();
        if (broken != null) {
          throw new IllegalStateException("the pool is broken, its workers will not become ready: "
              + broken.getMessage(), broken);
        }
        if (stopping()) {
          throw new IllegalStateException("the pool is shut down: its workers will not become ready");
        }
        if (allReadyLocked()) {
          return true;
        }
        if (left <= 0) {
          return false;
        }
        left = changed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  private boolean allReadyLocked() {
    for (WorkerHandle h : slots) {
      if (h == null || !h.ready) {
        return false;
      }
    }
    return true;
  }

  // ---- the transport's part of RemotePool ----

  @Override
  protected void checkTask(Callable<?> task) {
    launch.checkTask(task.getClass());
  }

  /** Workers say when a task begins ({@link Frame.Started}), so timeouts count from there. */
  @Override
  protected boolean reportsStart() {
    return true;
  }

  /**
   * Above eight tasks in flight, a submit leaves its flush to the worker's next answer. Below, a submit
   * flushes at once, so a task to an idle or nearly idle worker waits for nothing (the round trip). A
   * worker's answers to a burst leave at least every 200 µs ({@link TaskLoop}) and each one flushes what
   * waited; a task behind a long one waits for it either way, since a worker runs its tasks in order.
   * With every submit flushing, 100k trivial tasks at once made one write and one worker wake-up per task
   * whenever the submitting thread was no faster than the workers: 90-104 k/s against 770-960 k/s with
   * this rule, at the same window of 512; with tasks submitted 3 µs apart, 46-50 k/s against 77-79 k/s.
   */
  @Override
  protected int flushesLaterAbove() {
    return 8;
  }

  @Override
  protected Duration killGrace() {
    return config.killGrace();
  }

  @Override
  protected void brokenLocked() {
    changed.signalAll(); // awaitReady waits no longer
    for (WorkerHandle h : slots) {
      if (h != null && !h.goneLocked()) {
        h.expectedExit = true;
        ProcessTrees.killTree(h.process.toHandle());
      }
    }
  }

  @Override
  protected void drainedLocked() {
    for (WorkerHandle h : slots) {
      if (h != null && h.loadLocked() == 0) {
        stopLocked(h);
      }
    }
    exitedLocked();
  }

  /**
   * A file in the pool's shared-memory directory, which each worker maps once when a task first reads it.
   * Its bytes are copied once, here; the file is deleted when the handle closes or the pool terminates.
   */
  @Override
  protected Shared shareBackend(MemorySegment data, Consumer<Shared> onClose) {
    ShmDir d = shm;
    if (d == null) {
      throw new UnsupportedOperationException("cannot share data with worker processes: shared memory is "
          + (ShmDir.ENABLED ? "unavailable (no directory could be made in /dev/shm or java.io.tmpdir)"
              : "turned off with -Dunipool.shm=false") + "; capture the data in the task instead");
    }
    Arena arena = Arena.ofShared();
    ShmDir.Mapped m;
    try {
      m = d.share(data, arena);
    } catch (IOException e) {
      arena.close();
      throw new UncheckedIOException("cannot share " + data.byteSize() + " bytes with worker processes", e);
    }
    return Shared.mapped(m.file(), m.segment(), self -> {
      onClose.accept(self);
      try {
        Files.deleteIfExists(m.file());
      } catch (IOException e) {
        // the directory goes when the pool terminates
      }
      try {
        arena.close();
      } catch (IllegalStateException e) {
        // a thread of this JVM is reading it right now; the mapping then lasts until this JVM exits
      }
    });
  }

  /** Whatever is still alive after the grace period is killed: no worker outlives the pool. */
  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // a deadline that is never called off
  protected void afterShutdownNow(List<WorkerHandle> all) {
    TIMER.schedule(() -> all.forEach(h -> ProcessTrees.killTree(h.process.toHandle())),
        config.killGrace().toNanos() + TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.NANOSECONDS);
  }

  @Override
  protected boolean transportTerminatedLocked() {
    return live == 0 && respawnsPending == 0;
  }

  private void stopLocked(WorkerHandle h) {
    if (h.stopSent || h.goneLocked()) {
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

  /** One entry per worker slot, from the meters the events above keep up to date. */
  @Override
  protected List<WorkerStats> workerStats() {
    List<WorkerStats> out = new ArrayList<>(meters.length);
    for (WorkerMeter m : meters) {
      out.add(m.snapshot());
    }
    return out;
  }

  /** The shared-memory directory, for tests: null when shared memory is off. */
  @Nullable Path shmDir() {
    ShmDir d = shm;
    return d == null ? null : d.path;
  }

  /** Process ids of the live workers, for tests and diagnostics. */
  List<Long> workerPids() {
    lock.lock();
    try {
      List<Long> pids = new ArrayList<>();
      for (WorkerHandle h : slots) {
        if (h != null && !h.goneLocked()) {
          pids.add(h.process.pid());
        }
      }
      return pids;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return super.toString() + " workers " + workerPids();
  }
}
