/** Implementation of the in-process backends, the task adapters and the shared timer; not exported. */
@NullMarked
package dev.unipool.internal;

import org.jspecify.annotations.NullMarked;
