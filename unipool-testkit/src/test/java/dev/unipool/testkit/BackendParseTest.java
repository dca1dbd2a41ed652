package dev.unipool.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.internal.Pools;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Backend#parse} and the {@code UNIPOOL_BACKEND} lookup behind {@code Pool.fromEnvironment()}. */
class BackendParseTest {
  private static final int CPUS = Runtime.getRuntime().availableProcessors();

  @Test
  void parse_inProcessForms_nameTheirBackends() {
    assertEquals(Backend.inline(), Backend.parse("inline"));
    assertEquals(Backend.virtual(), Backend.parse("virtual"));
    assertEquals(Backend.threads(CPUS), Backend.parse("threads"));
    assertEquals(Backend.threads(3), Backend.parse("threads:3"));
  }

  @Test
  void parse_ignoresCaseAndSurroundingSpace() {
    assertEquals(Backend.threads(2), Backend.parse("  THREADS:2 "));
    assertEquals(Backend.virtual(), Backend.parse("Virtual"));
    assertEquals(Backend.inline(), Backend.parse("\tINLINE\n"));
  }

  @Test
  void parse_cluster_takesAnOptionalName_keepingItsCase() {
    Backend.Cluster plain = (Backend.Cluster) Backend.parse("CLUSTER:h1:5801,h2:5802");
    assertEquals(List.of("h1:5801", "h2:5802"), plain.addresses());
    assertEquals(null, plain.clusterName(), "no name: this user's, read when the pool opens");
    Backend.Cluster named = (Backend.Cluster) Backend.parse(" cluster:Secret-Name_1@127.0.0.1:5801,127.0.0.1:5802 ");
    assertEquals("Secret-Name_1", named.clusterName());
    assertEquals(List.of("127.0.0.1:5801", "127.0.0.1:5802"), named.addresses());
    assertEquals("cluster:127.0.0.1:5801,127.0.0.1:5802", named.toString(), "toString never shows the secret");
    assertEquals(named, Backend.cluster("127.0.0.1:5801", "127.0.0.1:5802").clusterName("Secret-Name_1"));
    assertEquals(named, Pools.backendFromEnvironment(Map.of("UNIPOOL_BACKEND", "cluster:Secret-Name_1@127.0.0.1:5801,127.0.0.1:5802")));
  }

  @Test
  void parse_badClusterSpec_keepsTheNameOutOfTheMessage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("cluster:s3cret@nonsense"));
    assertTrue(e.getMessage().startsWith("'cluster:NAME@nonsense' is not a valid backend"), e::getMessage);
    assertTrue(!e.getMessage().contains("s3cret"), e::getMessage);
    assertThrows(IllegalArgumentException.class, () -> Backend.parse("cluster:@127.0.0.1:5801"), "a blank name");
  }

  @Test
  void parse_ofToString_roundTrips() {
    for (Backend b : List.of(Backend.inline(), Backend.threads(1), Backend.threads(7), Backend.virtual())) {
      assertEquals(b, Backend.parse(b.toString()), b::toString);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "bogus", "threads:", "threads:x", "threads:1.5", "inline:2", "virtual:3", ":4"})
  void parse_invalidSpec_listsTheValidForms(String spec) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.parse(spec));
    assertTrue(e.getMessage().startsWith("'" + spec + "' is not a valid backend"), e::getMessage);
    assertTrue(e.getMessage().endsWith("Valid backends: " + Backend.VALID_FORMS), e::getMessage);
  }

  @ParameterizedTest
  @ValueSource(strings = {"threads:0", "threads:-2"})
  void parse_nonPositiveThreadCount_saysWhy(String spec) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.parse(spec));
    assertTrue(e.getMessage().contains("threads must be at least 1"), e::getMessage);
    assertTrue(e.getMessage().contains(Backend.VALID_FORMS), e::getMessage);
  }

  @Test
  void threads_belowOne_isRejectedWithTheCount() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.threads(0));
    assertEquals("threads must be at least 1, got 0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Backend.threads(-1));
  }

  @Test
  void parallelism_ofInProcessBackends() {
    assertEquals(1, Backend.inline().parallelism());
    assertEquals(5, Backend.threads(5).parallelism());
    assertEquals(Integer.MAX_VALUE, Backend.virtual().parallelism());
  }

  @Test
  void environment_unsetOrBlank_meansOneThreadPerProcessor() {
    assertEquals(Backend.threads(CPUS), Pools.backendFromEnvironment(Map.of()));
    assertEquals(Backend.threads(CPUS), Pools.backendFromEnvironment(Map.of(Pools.ENV, "")));
    assertEquals(Backend.threads(CPUS), Pools.backendFromEnvironment(Map.of(Pools.ENV, "   ")));
    assertEquals(Backend.threads(CPUS), Pools.backendFromEnvironment(Map.of("OTHER", "virtual")));
  }

  @Test
  void environment_namesTheBackend() {
    assertEquals("UNIPOOL_BACKEND", Pools.ENV);
    assertEquals(Backend.virtual(), Pools.backendFromEnvironment(Map.of(Pools.ENV, "virtual")));
    assertEquals(Backend.inline(), Pools.backendFromEnvironment(Map.of(Pools.ENV, "inline")));
    assertEquals(Backend.threads(2), Pools.backendFromEnvironment(Map.of(Pools.ENV, " threads:2 ")));
  }

  @Test
  void environment_invalid_namesTheVariableAndTheValidForms() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> Pools.backendFromEnvironment(Map.of(Pools.ENV, "threads:zero")));
    assertTrue(e.getMessage().startsWith("UNIPOOL_BACKEND: 'threads:zero' is not a valid backend"), e::getMessage);
    assertTrue(e.getMessage().contains(Backend.VALID_FORMS), e::getMessage);
  }
}
