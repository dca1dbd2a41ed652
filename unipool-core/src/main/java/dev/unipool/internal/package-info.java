/** Implementation of the in-process backends and the map machinery; not exported. */
@NullMarked
package dev.unipool.internal;

import org.jspecify.annotations.NullMarked;
