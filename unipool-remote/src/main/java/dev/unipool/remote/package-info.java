/**
 * Shared by the backends whose tasks leave this JVM: {@link dev.unipool.remote.Codec} turns tasks, results
 * and exceptions into bytes and back (Apache Fory or Java serialization, behind the same class filter).
 * Application code does not need this package; it may change between minor versions.
 */
@NullMarked
package dev.unipool.remote;

import org.jspecify.annotations.NullMarked;
