/**
 * Service-provider interface for backend modules (worker processes, cluster). Application code does not
 * need this package: it is exported so that unipool's own backend modules can build on the shared
 * machinery ({@link dev.unipool.spi.AbstractPool}, {@link dev.unipool.spi.TaskRun},
 * {@link dev.unipool.spi.RunningTask}); the map engine and {@code invokeAll}/{@code invokeAny} live here
 * package-private. It may change between minor versions.
 */
@NullMarked
package dev.unipool.spi;

import org.jspecify.annotations.NullMarked;
