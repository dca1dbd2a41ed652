package dev.unipool.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.CpuBound;
import dev.unipool.IoBound;
import dev.unipool.TaskFuture;
import dev.unipool.Tasks;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The unsync-style entry points: declare the kind of work once, then just call. */
class TasksTest {

  interface Site {
    @IoBound
    CompletionStage<Boolean> fetchRunsOnVirtual(String url);

    @CpuBound
    TaskFuture<Boolean> parseRunsOnVirtual(String html);

    String plain();
  }

  static final class SiteImpl implements Site {
    @Override
    public CompletionStage<Boolean> fetchRunsOnVirtual(String url) {
      return CompletableFuture.completedFuture(Thread.currentThread().isVirtual());
    }

    @Override
    public TaskFuture<Boolean> parseRunsOnVirtual(String html) {
      throw new UnsupportedOperationException("the proxy calls the implementation on a worker instead");
    }

    @Override
    public String plain() {
      return "direct";
    }
  }

  static final class ParsingSite implements Site {
    @Override
    public CompletionStage<Boolean> fetchRunsOnVirtual(String url) {
      return CompletableFuture.completedFuture(true);
    }

    @Override
    public TaskFuture<Boolean> parseRunsOnVirtual(String html) {
      @SuppressWarnings("unchecked")
      TaskFuture<Boolean> f = (TaskFuture<Boolean>) (TaskFuture<?>) Tasks.io(() -> Thread.currentThread().isVirtual());
      return f;
    }

    @Override
    public String plain() {
      return "direct";
    }
  }

  @Test
  void io_runsOnAVirtualThread_cpu_onAPlatformThread_andTheyChain() throws Exception {
    assertTrue(Tasks.io(() -> Thread.currentThread().isVirtual()).get(30, TimeUnit.SECONDS));
    assertFalse(Tasks.cpu(() -> Thread.currentThread().isVirtual()).get(30, TimeUnit.SECONDS));
    int words = Tasks.io(() -> "three little words")
        .thenCompose(text -> Tasks.cpu(() -> text.split(" ").length))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(3, words);
  }

  @Test
  void route_runsAnnotatedMethodsByTheirHint_andOthersDirectly() throws Exception {
    Site site = Tasks.route(Site.class, new SiteImpl());
    assertTrue(site.fetchRunsOnVirtual("http://x").toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertEquals("direct", site.plain());
    Site parsing = Tasks.route(Site.class, new ParsingSite());
    assertTrue(parsing.parseRunsOnVirtual("<p>").get(30, TimeUnit.SECONDS));
  }

  interface Wrong {
    @IoBound
    String fetch();
  }

  @Test
  void route_rejectsAnnotatedMethodsThatCannotReturnAFuture() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Tasks.route(Wrong.class, () -> "x"));
    assertTrue(e.getMessage().contains("Wrong.fetch"), e.getMessage());
  }
}
