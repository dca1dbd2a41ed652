/**
 * JMH benchmarks comparing each unipool in-process backend with the raw JDK executor it wraps. Every
 * benchmark takes an {@link dev.unipool.benchmarks.Implementation} parameter, so one JMH run covers them
 * all. Run them with {@code unipool-benchmarks/run.sh} or {@code java -jar unipool-benchmarks/target/benchmarks.jar}.
 */
@NullMarked
package dev.unipool.benchmarks;

import org.jspecify.annotations.NullMarked;
