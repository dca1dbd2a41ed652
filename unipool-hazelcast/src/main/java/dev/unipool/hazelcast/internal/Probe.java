package dev.unipool.hazelcast.internal;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * Asks a member for its {@link MemberFacts}. Also proves that the member can run unipool's envelopes at
 * all: a member without {@code unipool-hazelcast} on its class path fails to deserialize this.
 */
final class Probe implements Callable<MemberFacts>, Serializable, HazelcastInstanceAware {
  @Serial private static final long serialVersionUID = 1L;

  private transient @Nullable HazelcastInstance instance;

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
}
