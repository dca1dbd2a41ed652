/**
 * unipool: one {@link dev.unipool.Pool} API whose backend (inline, platform threads, virtual threads, and
 * the backends supplied by other unipool modules) is a configuration switch.
 *
 * <p>Only {@code dev.unipool} (the API) and {@code dev.unipool.spi} (for backend modules) are exported.
 */
module dev.unipool.core {
  requires static org.jspecify;
  requires java.management;
  requires jdk.jfr;
  requires org.apache.fory.core;

  exports dev.unipool;
  exports dev.unipool.spi;

  uses dev.unipool.spi.PoolProvider;
}
