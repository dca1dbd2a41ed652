package dev.unipool.testkit;

import static dev.unipool.testkit.ContractSupport.constant;
import static dev.unipool.testkit.ContractSupport.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.unipool.Backend;
import dev.unipool.Futures;
import dev.unipool.MapOptions;
import dev.unipool.Overflow;
import dev.unipool.Pool;
import dev.unipool.SerializableCallable;
import dev.unipool.SerializableRunnable;
import dev.unipool.TaskFuture;
import dev.unipool.TaskOptions;
import dev.unipool.WaitMode;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Null tasks and arguments, and invalid settings, are rejected at the call.
 *
 * <p>Part of {@link PoolContract}; a backend test gets it by extending that class.
 */
public interface InputValidationContract extends PoolFixture {
  @Test
  default void nullTask_isRejectedWithNullPointerException() {
    Pool p = pool();
    assertThrows(NullPointerException.class, () -> p.submit(ContractSupport.<Callable<Object>>nullValue()));
    assertThrows(NullPointerException.class, () -> p.submit(ContractSupport.<SerializableCallable<Object>>nullValue()));
    assertThrows(NullPointerException.class, () -> p.submit(ContractSupport.<Runnable>nullValue()));
    assertThrows(NullPointerException.class, () -> p.submit(ContractSupport.<SerializableRunnable>nullValue()));
    assertThrows(NullPointerException.class, () -> p.submit(ContractSupport.<Runnable>nullValue(), "result"));
    assertThrows(
        NullPointerException.class, () -> p.submit(ContractSupport.<Callable<Object>>nullValue(), TaskOptions.none()));
    assertThrows(NullPointerException.class, () -> p.submit(() -> 1, ContractSupport.<TaskOptions>nullValue()));
    assertThrows(NullPointerException.class, () -> p.execute(ContractSupport.<Runnable>nullValue()));
    assertThrows(NullPointerException.class, () -> p.invokeAll(Arrays.asList(constant("a"), nullValue())));
    assertThrows(NullPointerException.class, () -> p.invokeAny(Arrays.asList(constant("a"), nullValue())));
  }

  @Test
  default void nullArguments_toTheMapFamily_areRejectedWithNullPointerException() {
    Pool p = pool();
    List<Integer> items = List.of(1);
    assertThrows(NullPointerException.class, () -> p.map(nullValue(), items));
    assertThrows(NullPointerException.class, () -> p.map(x -> x, ContractSupport.<List<Integer>>nullValue()));
    assertThrows(NullPointerException.class, () -> p.map(x -> x, items, nullValue()));
    assertThrows(NullPointerException.class, () -> p.imap(nullValue(), items).close());
    assertThrows(
        NullPointerException.class, () -> p.imapUnordered(x -> x, ContractSupport.<List<Integer>>nullValue()).close());
    assertThrows(NullPointerException.class, () -> p.starmap(nullValue(), List.<Map.Entry<Integer, Integer>>of()));
  }

  @Test
  default void invalidSettings_areRejectedWithIllegalArgumentException() {
    assertThrows(IllegalArgumentException.class, () -> MapOptions.chunkSize(0));
    assertThrows(IllegalArgumentException.class, () -> MapOptions.chunkSize(-1));
    assertThrows(IllegalArgumentException.class, () -> MapOptions.auto().withMaxInFlight(0));
    assertThrows(IllegalArgumentException.class, () -> Backend.threads(0));
    assertThrows(IllegalArgumentException.class, () -> TaskOptions.timeout(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> TaskOptions.timeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> options().taskTimeout(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> options().queue(0, Overflow.REJECT));
    List<TaskFuture<Integer>> futures = List.of(pool().submit(() -> 1));
    assertThrows(IllegalArgumentException.class, () -> Futures.asCompleted(futures, Duration.ofSeconds(-1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> Futures.await(futures, WaitMode.ALL_COMPLETED, Duration.ofSeconds(-1)));
  }
}
