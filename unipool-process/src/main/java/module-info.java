/**
 * The worker-process backend of unipool: {@link dev.unipool.Backend#processes(int)}. Exports nothing; it
 * plugs into {@link dev.unipool.Pool#of} through {@link dev.unipool.spi.PoolProvider}.
 */
module dev.unipool.process {
  requires dev.unipool.core;
  requires dev.unipool.remote;
  requires static org.jspecify;
  requires java.management;

  provides dev.unipool.spi.PoolProvider with dev.unipool.process.internal.ProcessPoolProvider;
}
