package dev.unipool.hazelcast.internal;

import com.hazelcast.cluster.Address;
import com.hazelcast.core.HazelcastInstance;
import dev.unipool.Worker;
import dev.unipool.remote.Codec;
import dev.unipool.remote.Reply;
import dev.unipool.remote.TaskRunner;
import dev.unipool.spi.RunningTask;
import java.io.StreamCorruptedException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What runs on a member: decoding and running tasks, the registry of running tasks that cancels reach,
 * and the member's {@link MemberFacts}.
 *
 * <p>Overview: each running task is registered under its key as a {@link RunningTask}, whose hand-off
 * keeps a cancel's interrupt from landing in the next task the executor thread runs; decoding, running
 * and encoding are {@link TaskRunner}'s, shared with the worker processes. A cancel that arrives before
 * its task leaves a tombstone, and the task skips when it starts.
 */
final class MemberSide {
  /** The executor tasks run on; its pool size is the member's task capacity. */
  static final String TASKS = "unipool";

  /** The executor cancels and probes run on, so they never wait behind tasks. */
  static final String CONTROL = "unipool-control";

  private static final Codec CODEC = new Codec(java.util.List.of(), "a cluster member");
  /** Key to the {@link RunningTask}, or to the time (nanos) a cancel arrived for a task not started yet. */
  private static final ConcurrentHashMap<String, Object> TASKS_BY_KEY = new ConcurrentHashMap<>();
  private static final long TOMBSTONE_NANOS = TimeUnit.MINUTES.toNanos(10);

  private MemberSide() {}

  /** Decodes, runs and encodes one task on the calling executor thread. */
  static Outcome run(String key, byte[] bytes) {
    RunningTask me = new RunningTask();
    if (TASKS_BY_KEY.putIfAbsent(key, me) != null) {
      TASKS_BY_KEY.remove(key);
      return Outcome.skipped(); // cancelled before it started
    }
    Reply reply;
    try {
      Codec.Encoded task;
      try {
        task = Codec.Encoded.split(bytes);
      } catch (StreamCorruptedException e) {
        return new Outcome(Outcome.FAILED, CODEC.encodeThrowable(e).joined(), 0);
      }
      reply = TaskRunner.run(CODEC, task, TaskRunner.Steps.NONE);
    } finally {
      TASKS_BY_KEY.remove(key, me);
      me.finish();
    }
    return new Outcome(reply.status() == Reply.Status.OK ? Outcome.OK : Outcome.FAILED, reply.payload().joined(),
        reply.runNanos());
  }

  /**
   * Interrupts the task registered under {@code key}, or marks it to be skipped.
   *
   * @return true if a running task was interrupted
   */
  static boolean cancel(String key) {
    long now = System.nanoTime();
    Object entry = TASKS_BY_KEY.computeIfAbsent(key, k -> now);
    if (entry instanceof RunningTask r) {
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
}
