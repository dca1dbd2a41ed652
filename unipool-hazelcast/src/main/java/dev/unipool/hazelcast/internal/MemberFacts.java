package dev.unipool.hazelcast.internal;

import java.io.Serial;
import java.io.Serializable;

/**
 * What a pool learns about a member when it first sees it: who it is (for {@code TaskFuture.worker()}) and
 * how many tasks it runs at once (so the pool sends no more than that and a task's timeout starts when it
 * really starts).
 *
 * @param pid the member JVM's process id
 * @param name the worker name tasks see in {@code Worker.current()}
 * @param host the member's address, {@code host:port}
 * @param threads the pool size of its {@code unipool} executor
 * @param rssBytes its resident memory when asked, or -1 if unknown (for {@code Pool.stats()}; probes are
 *     repeated while someone reads stats)
 */
record MemberFacts(long pid, String name, String host, int threads, long rssBytes) implements Serializable {
  @Serial private static final long serialVersionUID = 1L;
}
