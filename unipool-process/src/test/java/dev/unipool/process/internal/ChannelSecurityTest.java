package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.lang.reflect.Field;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The parent–worker channel admits only workers that know their token. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelSecurityTest {

  private static Path socketDir(Pool pool) throws ReflectiveOperationException {
    Field f = ProcessPool.class.getDeclaredField("dir");
    f.setAccessible(true);
    return (Path) f.get(pool);
  }

  @Test
  void socketDirectory_isPrivateToTheUser() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      Path dir = socketDir(pool);
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }
  }

  @Test
  void connectionWithWrongToken_isClosed_andThePoolKeepsWorking() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      Path sock = socketDir(pool).resolve("pool.sock");
      try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
        FrameWriter out = new FrameWriter(ch, "test");
        out.send(new Frame.Hello("not-the-token", "worker-1", ProcessHandle.current().pid()), true);
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
        assertNull(Frame.read(in), "the pool closes the connection without sending anything");
      }
      assertEquals(42, pool.submit(() -> 42).get(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void connectionWithGarbage_isClosed() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1))) {
      Path sock = socketDir(pool).resolve("pool.sock");
      try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
        ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x7f, 0, 0, 0, 1, 2, 3}));
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
        assertEquals(-1, in.read());
      }
      assertEquals(43, pool.submit(() -> 43).get(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void tokenIsNeverOnTheWorkersCommandLineOrEnvironment() throws Exception {
    try (Pool pool = Pool.of(Backend.processes(1), PoolOptions.defaults())) {
      long pid = pool.submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS);
      String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
      String environ = Files.readString(Path.of("/proc/" + pid + "/environ")).replace('\0', ' ');
      Field slotsField = ProcessPool.class.getDeclaredField("slots");
      slotsField.setAccessible(true);
      Object[] slots = (Object[]) slotsField.get(pool);
      Field tokenField = slots[0].getClass().getDeclaredField("token");
      tokenField.setAccessible(true);
      String token = (String) tokenField.get(slots[0]);
      assertTrue(token.length() >= 40);
      assertTrue(!cmdline.contains(token) && !environ.contains(token));
    }
  }
}
