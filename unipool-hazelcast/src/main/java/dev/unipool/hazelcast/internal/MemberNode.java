package dev.unipool.hazelcast.internal;

import com.hazelcast.cluster.Member;
import dev.unipool.WorkerInfo;
import dev.unipool.remote.RemoteTask;
import dev.unipool.remote.RemoteWorker;
import dev.unipool.spi.WorkerMeter;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * One cluster member as a {@link ClusterPool} sees it: its task threads, whether it answers, and the
 * tasks assigned to it and not yet sent. Fields are guarded by the pool's lock.
 */
final class MemberNode extends RemoteWorker {
  private final ClusterPool pool;
  final Member member;
  final String address;
  /** Tasks assigned under the lock, sent by {@link #flush} after it. */
  private final ConcurrentLinkedQueue<RemoteTask> outbox = new ConcurrentLinkedQueue<>();
  /** The member's task threads, learnt from its probe. */
  int capacity;
  /** Its connection failed: nothing more is sent there until it answers a probe again. */
  boolean suspect;
  int probeFailures;
  @Nullable Throwable probeFailure;

  MemberNode(ClusterPool pool, Member member, WorkerMeter meter) {
    super(meter);
    this.pool = pool;
    this.member = member;
    this.address = addressOf(member);
  }

  static String addressOf(Member member) {
    return member.getAddress().getHost() + ":" + member.getAddress().getPort();
  }

  /** Whether its first probe has answered one way or the other. */
  boolean settledLocked() {
    return info != null || probeFailure != null || goneLocked();
  }

  /** It answered a probe: tasks may go there, as many as it has threads. */
  void identifyLocked(MemberFacts facts) {
    info = new WorkerInfo(facts.pid(), facts.name(), "unipool-executor", facts.host());
    capacity = Math.max(1, facts.threads());
    suspect = false;
    probeFailures = 0;
  }

  /** It left the cluster, or the pool lost the cluster. */
  void leftLocked(String why) {
    dead = true;
    meter.exited(null, null, why);
  }

  @Override
  protected boolean acceptsLocked() {
    return info != null && !suspect;
  }

  @Override
  protected int windowLocked() {
    return capacity;
  }

  @Override
  protected void queueLocked(RemoteTask task, boolean reportStart) {
    outbox.add(task);
  }

  @Override
  protected void flush() {
    RemoteTask task;
    while ((task = outbox.poll()) != null) {
      pool.send(this, task);
    }
  }

  /** Interrupts the task on the member; without an interrupt, like {@code FutureTask}, it runs on. */
  @Override
  protected void cancel(long id, boolean interrupt) {
    if (interrupt) {
      pool.interrupt(this, id);
    }
  }

  @Override
  protected String label() {
    return "member " + address;
  }
}
