package dev.unipool.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.StackTrace;
import org.jspecify.annotations.Nullable;

/** {@code dev.unipool.Route}: {@code Backend.auto()} chose or changed where a kind of task runs. */
@Name("dev.unipool.Route")
@Label("Route")
@Category("unipool")
@Description("Backend.auto() chose or changed where a kind of task runs")
@StackTrace(false)
public final class RouteEvent extends jdk.jfr.Event {
  /** The pool's name. */
  @Label("Pool")
  public @Nullable String pool;

  /** The kind of task (its class, or the explicit kind). */
  @Label("Kind")
  public @Nullable String kind;

  /** Where it goes now: virtual threads, platform threads, worker processes. */
  @Label("Route")
  public @Nullable String route;

  /** Where it went before, or null for a first decision. */
  @Label("Previous Route")
  public @Nullable String previous;

  /** Why, in words. */
  @Label("Reason")
  public @Nullable String reason;

  /** The measured share of CPU time in wall time, or -1 if nothing was measured. */
  @Label("CPU Share")
  @Percentage
  public double cpu = -1;
}
