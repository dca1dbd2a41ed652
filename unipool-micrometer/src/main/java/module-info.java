/**
 * Optional Micrometer metrics for unipool pools: {@link dev.unipool.micrometer.UnipoolMetrics} binds a pool's
 * {@link dev.unipool.Pool#stats()} to a {@code MeterRegistry}. unipool-core never depends on Micrometer.
 */
module dev.unipool.micrometer {
  requires transitive dev.unipool.core;
  requires transitive micrometer.core; // its types are in this module's API
  requires static org.jspecify;

  exports dev.unipool.micrometer;
}
