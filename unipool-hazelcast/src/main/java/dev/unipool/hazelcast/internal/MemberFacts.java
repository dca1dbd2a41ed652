package dev.unipool.hazelcast.internal;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.io.StreamCorruptedException;

/**
 * What a pool learns about a member when it first sees it: who it is (for {@code TaskFuture.worker()}) and
 * how many tasks it runs at once (so the pool sends no more than that and a task's timeout starts when it
 * really starts), and its resident memory, which it reports each time it is probed (for {@code Pool.stats()}:
 * the pool probes again while someone reads stats). {@link DataSerializable} for the same reason as
 * {@link Probe}; public with a no-argument constructor only for Hazelcast.
 */
public final class MemberFacts implements DataSerializable {
  private long pid;
  private String name;
  private String host;
  private int threads;
  private long rssBytes = -1;

  /** For Hazelcast's deserialization only. */
  public MemberFacts() {
    this.name = "";
    this.host = "";
  }

  /**
   * Creates the facts.
   *
   * @param pid the member JVM's process id
   * @param name the worker name tasks see in {@code Worker.current()}
   * @param host the member's address, {@code host:port}
   * @param threads the pool size of its {@code unipool} executor
   * @param rssBytes its resident memory now, or -1 if unknown
   */
  MemberFacts(long pid, String name, String host, int threads, long rssBytes) {
    this.pid = pid;
    this.name = name;
    this.host = host;
    this.threads = threads;
    this.rssBytes = rssBytes;
  }

  long pid() {
    return pid;
  }

  String name() {
    return name;
  }

  String host() {
    return host;
  }

  int threads() {
    return threads;
  }

  long rssBytes() {
    return rssBytes;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeLong(pid);
    out.writeString(name);
    out.writeString(host);
    out.writeInt(threads);
    out.writeLong(rssBytes);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    pid = in.readLong();
    String n = in.readString();
    String h = in.readString();
    if (n == null || h == null) {
      throw new StreamCorruptedException("MemberFacts without name or host");
    }
    name = n;
    host = h;
    threads = in.readInt();
    rssBytes = in.readLong();
  }

  @Override
  public String toString() {
    return "MemberFacts[pid " + pid + ", " + name + ", " + host + ", " + threads + " threads, rss " + rssBytes + "]";
  }
}
