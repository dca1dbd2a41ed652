package dev.unipool;

import java.io.Serializable;
import java.util.function.BiFunction;

/**
 * A {@link BiFunction} that is also {@link Serializable}, taken by {@link Pool#starmap}.
 *
 * @param <A> the first argument type
 * @param <B> the second argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface SerializableBiFunction<A, B, R> extends BiFunction<A, B, R>, Serializable {}
