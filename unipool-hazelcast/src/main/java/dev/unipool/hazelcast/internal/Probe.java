package dev.unipool.hazelcast.internal;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * Asks a member for its {@link MemberFacts}. Also proves that the member can run unipool's envelopes at
 * all: a member without {@code unipool-hazelcast} on its class path fails to deserialize this.
 *
 * <p>{@link DataSerializable} with no fields, like every unipool envelope, so that members can refuse
 * Hazelcast's Java serialization for all but Hazelcast's own classes ({@link ClusterSecurity}). Public
 * with a no-argument constructor only because Hazelcast instantiates it reflectively on the member.
 */
public final class Probe implements Callable<MemberFacts>, DataSerializable, HazelcastInstanceAware {
  private transient @Nullable HazelcastInstance instance;

  /** Creates a probe; also used by Hazelcast's deserialization. */
  public Probe() {}

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
    this.instance = hazelcastInstance;
  }

  @Override
  public MemberFacts call() {
    HazelcastInstance hz = instance;
    if (hz == null) {
      throw new IllegalStateException("probe ran outside a Hazelcast member");
    }
    return MemberSide.facts(hz);
  }

  @Override
  public void writeData(ObjectDataOutput out) {
    // no state
  }

  @Override
  public void readData(ObjectDataInput in) {
    // no state
  }
}
