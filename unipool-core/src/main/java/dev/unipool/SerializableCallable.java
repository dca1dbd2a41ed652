package dev.unipool;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that is also {@link Serializable}. {@link Pool#submit(SerializableCallable)} takes
 * it so that a lambda written at the call is compiled as serializable and can travel to a worker process
 * or cluster member; code holding a plain {@code Callable} can cast: {@code (Callable<T> & Serializable) () -> ...}.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface SerializableCallable<T> extends Callable<T>, Serializable {}
