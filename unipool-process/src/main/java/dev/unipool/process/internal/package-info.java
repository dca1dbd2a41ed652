/** The worker-process backend: launcher, wire protocol, codec, worker main class. Not exported. */
@NullMarked
package dev.unipool.process.internal;

import org.jspecify.annotations.NullMarked;
