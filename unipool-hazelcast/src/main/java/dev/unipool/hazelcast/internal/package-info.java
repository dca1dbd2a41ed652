/** The cluster backend: Hazelcast client pool, task envelopes, member-side runner, member main class. Not exported. */
@NullMarked
package dev.unipool.hazelcast.internal;

import org.jspecify.annotations.NullMarked;
