/**
 * unipool: one {@link dev.unipool.Pool} API whose backend (inline, platform threads, virtual threads, and
 * the backends supplied by other unipool modules) is a configuration switch.
 *
 * <p>{@code dev.unipool} (the API) is exported; {@code dev.unipool.spi} only to unipool's backend modules.
 * No runtime dependency beyond the JDK: serialization (the codec) lives in {@code dev.unipool.remote}.
 */
@SuppressWarnings("module") // the backend modules are not built yet when this one compiles
module dev.unipool.core {
  requires static org.jspecify;
  requires java.management;
  requires jdk.jfr;

  exports dev.unipool;
  exports dev.unipool.spi to
      dev.unipool.remote,
      dev.unipool.process,
      dev.unipool.hazelcast;

  uses dev.unipool.spi.PoolProvider;
}
