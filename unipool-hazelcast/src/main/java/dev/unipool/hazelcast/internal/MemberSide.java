package dev.unipool.hazelcast.internal;

import com.hazelcast.cluster.Address;
import com.hazelcast.core.HazelcastInstance;
import dev.unipool.Worker;
import dev.unipool.remote.Codec;
import java.io.NotSerializableException;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What runs on a member: decoding and running tasks, the registry of running tasks that cancels reach,
 * and the member's {@link MemberFacts}.
 *
 * <p>Overview: each running task is registered under its key with the thread running it. A cancel finds
 * the entry and interrupts that thread with the hand-off {@link java.util.concurrent.FutureTask} uses (the
 * runner clears its slot when it finishes, and waits out an interrupt in progress, then clears the
 * interrupt flag), so an interrupt never lands in the next task the executor thread runs. A cancel that
 * arrives before its task leaves a tombstone, and the task skips when it starts.
 */
final class MemberSide {
  /** The executor tasks run on; its pool size is the member's task capacity. */
  static final String TASKS = "unipool";

  /** The executor cancels and probes run on, so they never wait behind tasks. */
  static final String CONTROL = "unipool-control";

  private static final Codec CODEC = new Codec(java.util.List.of(), "a cluster member");
  /** Key to {@link Running}, or to the time (nanos) a cancel arrived for a task not started yet. */
  private static final ConcurrentHashMap<String, Object> TASKS_BY_KEY = new ConcurrentHashMap<>();
  private static final long TOMBSTONE_NANOS = TimeUnit.MINUTES.toNanos(10);

  private MemberSide() {}

  /** Decodes, runs and encodes one task on the calling executor thread. */
  static Outcome run(String key, byte[] bytes) {
    Running me = new Running(Thread.currentThread());
    if (TASKS_BY_KEY.putIfAbsent(key, me) != null) {
      TASKS_BY_KEY.remove(key);
      return Outcome.skipped(); // cancelled before it started
    }
    long start = System.nanoTime();
    try {
      byte status;
      byte[] payload;
      try {
        Callable<?> task = (Callable<?>) CODEC.decodeTask(Codec.Encoded.split(bytes));
        payload = CODEC.encode(task.call()).joined();
        status = Outcome.OK;
      } catch (NotSerializableException e) {
        payload = CODEC.encodeThrowable(new IllegalArgumentException(
            "the task's result cannot be sent back: " + e.getMessage() + " is not java.io.Serializable", e)).joined();
        status = Outcome.FAILED;
      } catch (Throwable t) {
        payload = CODEC.encodeThrowable(t).joined();
        status = Outcome.FAILED;
      }
      return new Outcome(status, payload, System.nanoTime() - start);
    } finally {
      TASKS_BY_KEY.remove(key, me);
      me.finish();
    }
  }

  /**
   * Interrupts the task registered under {@code key}, or marks it to be skipped.
   *
   * @return true if a running task was interrupted
   */
  static boolean cancel(String key) {
    long now = System.nanoTime();
    Object entry = TASKS_BY_KEY.computeIfAbsent(key, k -> now);
    if (entry instanceof Running r) {
      r.interrupt();
      return true;
    }
    if (TASKS_BY_KEY.size() > 1024) {
      // A cancel can race with its task finishing and leave a tombstone nobody removes; drop old ones.
      TASKS_BY_KEY.values().removeIf(v -> v instanceof Long t && now - t > TOMBSTONE_NANOS);
    }
    return false;
  }

  /** This member's facts, as its tasks will see them through {@code Worker.current()}. */
  static MemberFacts facts(HazelcastInstance hz) {
    Address a = hz.getCluster().getLocalMember().getAddress();
    String address = a.getHost() + ":" + a.getPort();
    String name = System.getProperty(Worker.NAME_PROPERTY, "member-" + address);
    String host = System.getProperty(Worker.HOST_PROPERTY, address);
    int threads = hz.getConfig().getExecutorConfig(TASKS).getPoolSize();
    long pid = ProcessHandle.current().pid();
    return new MemberFacts(pid, name, host, threads, dev.unipool.spi.WorkerMeter.residentBytes(pid));
  }

  /** A running task's thread, interruptible only while the task runs. */
  private static final class Running {
    private static final Object INTERRUPTING = new Object();
    private static final Object DONE = new Object();
    private final AtomicReference<Object> runner;

    Running(Thread runner) {
      this.runner = new AtomicReference<>(runner);
    }

    void interrupt() {
      Object r = runner.get();
      if (r instanceof Thread t && runner.compareAndSet(t, INTERRUPTING)) {
        try {
          t.interrupt();
        } finally {
          runner.set(DONE);
        }
      }
    }

    void finish() {
      if (!runner.compareAndSet(Thread.currentThread(), DONE)) {
        // A cancel is interrupting us, or has: wait for it, then clear the flag so that it does not leak
        // into the next task this executor thread runs.
        while (runner.get() == INTERRUPTING) {
          Thread.onSpinWait();
        }
        Thread.interrupted();
      }
    }
  }
}
