/**
 * What every unipool backend whose tasks leave this JVM shares (worker processes, cluster): the pool
 * machine {@link dev.unipool.remote.RemotePool} (dispatch, lost tasks and retries, cancel, shutdown,
 * termination), the worker side's {@link dev.unipool.remote.TaskRunner}, and the codec,
 * {@link dev.unipool.remote.Codec}, built on Apache Fory and Java serialization. Application code does not
 * need this module directly; it comes with the backend modules that use it.
 *
 * <p>{@code dev.unipool.remote} is exported only to those backend modules.
 */
@SuppressWarnings("module") // the backend modules are built after this one
module dev.unipool.remote {
  requires dev.unipool.core;
  requires static org.jspecify;
  requires org.apache.fory.core;

  exports dev.unipool.remote to
      dev.unipool.process,
      dev.unipool.hazelcast;
}
