/**
 * {@code unipool bench}: measures every backend, and optionally Python's standard-library pools, on one
 * fixed suite of workloads and reports the figures as a table, JSON and a self-contained HTML page.
 * {@link dev.unipool.cli.bench.BenchCommand} is the entry point.
 *
 * <p>Parameters and return values are non-null unless annotated otherwise.
 */
@NullMarked
package dev.unipool.cli.bench;

import org.jspecify.annotations.NullMarked;
