package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a worker's mark file says is what the parent reads back, and reading it deletes it. */
class StartedMarkTest {
  @TempDir
  Path dir;

  @Test
  void theParentReadsBackWhatTheWorkerMarked_thenTheFileIsGone() throws Exception {
    Path file = StartedMark.file(dir.resolve("socket"), 4242);
    StartedMark mark = StartedMark.create(file);
    assertEquals(StartedMark.Progress.NONE, readWithoutDeleting(file), "a fresh mark says nothing started");
    mark.decoding(0x0102030405060708L); // bytes that differ: a byte-order mix-up cannot pass
    mark.running(77);
    assertEquals(new StartedMark.Progress(0x0102030405060708L, 77), StartedMark.readAndDelete(file));
    assertFalse(Files.exists(file));
    assertEquals(StartedMark.Progress.NONE, StartedMark.readAndDelete(file), "no file: nothing started");
  }

  private static StartedMark.Progress readWithoutDeleting(Path file) throws Exception {
    Path copy = file.resolveSibling("copy");
    Files.copy(file, copy);
    return StartedMark.readAndDelete(copy);
  }
}
