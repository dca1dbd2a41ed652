/**
 * JDK Flight Recorder events of unipool ({@code dev.unipool.*}). Not exported: recordings name the events,
 * code does not.
 */
@NullMarked
package dev.unipool.internal.jfr;

import org.jspecify.annotations.NullMarked;
