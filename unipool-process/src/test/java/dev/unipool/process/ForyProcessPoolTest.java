package dev.unipool.process;

import dev.unipool.Backend;
import dev.unipool.remote.Codec;
import dev.unipool.testkit.Capabilities;
import dev.unipool.testkit.PoolContract;
import dev.unipool.testkit.SystemProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The backend contract again with every object sent through Apache Fory from the first task (the default
 * switches to Fory only after a pool's first few tasks, so most contract tests would never reach it).
 * Every worker then builds Fory before it reports ready, which doubles this class's run time, so it runs
 * only with {@code -Dunipool.fullSuite=true}; {@link ForyCodecProcessTest} covers the codec by default.
 */
@EnabledIfSystemProperty(named = "unipool.fullSuite", matches = "true")
class ForyProcessPoolTest extends PoolContract {
  private static @org.jspecify.annotations.Nullable SystemProperty codec;

  @BeforeAll
  static void foryFromTheStart() {
    // read by each new pool's codec and passed to its workers
    codec = SystemProperty.set(Codec.MODE_PROPERTY, "fory");
  }

  @AfterAll
  static void restore() {
    if (codec != null) {
      codec.close();
    }
  }

  @Override
  public Backend backend() {
    return Backend.processes(2);
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.workerProcesses();
  }
}
