/**
 * Shared by the backends whose tasks leave this JVM. {@link dev.unipool.remote.RemotePool} is the pool
 * machine a transport subclasses, with a {@link dev.unipool.remote.RemoteWorker} per worker and a
 * {@link dev.unipool.remote.RemoteTask} per task; {@link dev.unipool.remote.TaskRunner} is the worker side
 * (run inside core's {@link dev.unipool.spi.RunningTask}, the interrupt hand-off); {@link dev.unipool.remote.Codec} turns tasks,
 * results and exceptions into bytes and back (Apache Fory or Java serialization, behind the same class
 * filter).
 * Application code does not need this package; it may change between minor versions.
 */
@NullMarked
package dev.unipool.remote;

import org.jspecify.annotations.NullMarked;
