/**
 * The cluster backend of unipool: {@link dev.unipool.Backend#cluster(String...)} runs tasks on the members
 * of a Hazelcast cluster. Exports nothing; it plugs into {@link dev.unipool.Pool#of} through
 * {@link dev.unipool.spi.PoolProvider}, and {@code unipool member} starts a member through
 * {@code dev.unipool.hazelcast.internal.MemberMain}.
 */
module dev.unipool.hazelcast {
  requires dev.unipool.core;
  requires dev.unipool.remote;
  requires com.hazelcast.core;
  requires static org.jspecify;
  requires java.logging;

  // Hazelcast instantiates the envelopes and probes reflectively when it deserializes them on a member.
  opens dev.unipool.hazelcast.internal to com.hazelcast.core;

  provides dev.unipool.spi.PoolProvider with dev.unipool.hazelcast.internal.ClusterPoolProvider;
}
