/**
 * The backend contract suite. {@link dev.unipool.testkit.PoolContract} is the entry type: an abstract
 * JUnit 5 class that every backend module subclasses, naming its {@link dev.unipool.Backend} and its
 * {@link dev.unipool.testkit.Capabilities}, so that results, exceptions, cancellation, timeouts, the map
 * family and shutdown behave the same everywhere. It is composed of behaviour-sized contract interfaces
 * ({@link dev.unipool.testkit.SubmitContract}, {@link dev.unipool.testkit.MapContract}, ...), whose tests
 * are default methods, and checks the pool's invariants after every test.
 *
 * <p>Every task the suite submits is serializable and shares no memory with the test: tasks and tests
 * meet only through futures and {@link dev.unipool.testkit.FileSignal}s, so the same suite runs against
 * backends whose workers are other processes or other machines' cluster members (sharing a file system).
 */
@NullMarked
package dev.unipool.testkit;

import org.jspecify.annotations.NullMarked;
