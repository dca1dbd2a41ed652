package dev.unipool;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface method that {@link Tasks#route} runs as {@link Hint#IO}: it mostly waits (network, disk, sleeps): runs on a virtual thread. The method must
 * return {@link TaskFuture}, {@link java.util.concurrent.CompletionStage} or {@link java.util.concurrent.Future};
 * the implementation may compute the value directly and return it in a completed stage.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface IoBound {}
