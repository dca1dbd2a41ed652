/**
 * {@code unipool member}: starts a cluster member for {@code Backend.cluster(...)} pools.
 *
 * <p>Parameters and return values are non-null unless annotated otherwise.
 */
@NullMarked
package dev.unipool.cli.member;

import org.jspecify.annotations.NullMarked;
