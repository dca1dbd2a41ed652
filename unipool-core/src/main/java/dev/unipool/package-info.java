/**
 * The unipool API. {@link dev.unipool.Pool} is the entry type: an {@link java.util.concurrent.ExecutorService}
 * created from an immutable {@link dev.unipool.Backend} configuration, so the same code runs inline, on
 * platform threads, on virtual threads, or on any backend a unipool module provides.
 *
 * <p>Unless a method says otherwise, parameters and return values are non-null; a {@code null} argument
 * throws {@link java.lang.NullPointerException} naming the parameter.
 */
@NullMarked
package dev.unipool;

import org.jspecify.annotations.NullMarked;
