/**
 * Micrometer metrics for unipool: {@link dev.unipool.micrometer.UnipoolMetrics}.
 */
@NullMarked
package dev.unipool.micrometer;

import org.jspecify.annotations.NullMarked;
