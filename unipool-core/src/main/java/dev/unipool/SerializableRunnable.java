package dev.unipool;

import java.io.Serializable;

/** A {@link Runnable} that is also {@link Serializable}; see {@link SerializableCallable}. */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {}
