package dev.unipool.spi;

import dev.unipool.RemoteTaskException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Turns tasks, results and exceptions into bytes and back, for backends whose tasks leave this JVM
 * (worker processes, cluster members). Thread-safe.
 *
 * <p>Common values (null, Integer, Long, Double, Boolean, String, byte[]) get a one-byte tag and a raw
 * encoding; everything else uses Java serialization, which handles serializable lambdas, records and
 * exceptions with their stack traces, and names the offending class when something is not serializable.
 * Decoding runs behind an {@link ObjectInputFilter}: an allow-list when the user gave one, otherwise a
 * deny-list of known deserialization gadgets, plus size limits.
 *
 * <p>Stateless tasks (lambdas that capture nothing) are encoded once per class and decoded once per
 * byte string: every instance of such a class is interchangeable, so caching cannot leak state.
 */
public final class Codec {
  private static final byte NULL = 0;
  private static final byte INT = 1;
  private static final byte LONG = 2;
  private static final byte STRING = 3;
  private static final byte BYTES = 4;
  private static final byte DOUBLE = 5;
  private static final byte BOOLEAN = 6;
  private static final byte JAVA = 9;

  /** Classes whose deserialization has been abused to run code; refused even without an allow-list. */
  static final String DENY = String.join(";",
      "!org.apache.commons.collections.functors.*",
      "!org.apache.commons.collections4.functors.*",
      "!org.codehaus.groovy.runtime.*",
      "!com.sun.org.apache.xalan.internal.xsltc.trax.*",
      "!org.springframework.beans.factory.*",
      "!com.mchange.v2.c3p0.*",
      "!javax.management.*",
      "!java.rmi.*",
      "!sun.rmi.*",
      "!bsh.*",
      "!clojure.*",
      "!org.python.core.*",
      "!com.sun.rowset.*",
      "!javax.script.*",
      "!java.beans.*");

  /** With an allow-list, what is always allowed besides it: JDK value types, lambdas, unipool's classes. */
  static final String ALWAYS = String.join(";",
      "java.lang.*", "java.lang.invoke.SerializedLambda", "java.util.*", "java.util.concurrent.*",
      "java.util.concurrent.atomic.*", "java.time.*", "java.math.*", "java.net.URI", "java.io.*Exception",
      "java.nio.file.*Exception", "java.util.concurrent.*Exception", "dev.unipool.**");

  private static final String LIMITS = "maxdepth=2000;maxrefs=50000000";

  private static final ClassValue<Boolean> STATELESS = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        if (Arrays.stream(c.getDeclaredFields()).anyMatch(f -> !Modifier.isStatic(f.getModifiers()))) {
          return false;
        }
      }
      return true;
    }
  };

  private final ObjectInputFilter filter;
  private final String destination;
  private final ConcurrentHashMap<Class<?>, byte[]> encodedStateless = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Object> decodedStateless = new ConcurrentHashMap<>();

  /**
   * Creates a codec.
   *
   * @param allowClasses class-name patterns decoding accepts besides JDK value types and unipool's own;
   *     empty accepts everything but known deserialization gadgets
   * @param destination where tasks go, for messages: e.g. "a worker process"
   */
  public Codec(List<String> allowClasses, String destination) {
    this.destination = destination;
    String spec = allowClasses.isEmpty()
        ? DENY + ";" + LIMITS
        : DENY + ";" + ALWAYS + ";" + String.join(";", allowClasses) + ";" + LIMITS + ";!*";
    this.filter = ObjectInputFilter.Config.createFilter(spec);
  }

  /**
   * Encodes a task in the submitting thread.
   *
   * @param task the task
   * @return its bytes
   * @throws IllegalArgumentException if it does not serialize, naming the type and how to fix it
   */
  public byte[] encodeTask(Object task) {
    boolean stateless = STATELESS.get(task.getClass()) && task instanceof java.io.Serializable;
    if (stateless) {
      byte[] b = encodedStateless.get(task.getClass());
      if (b != null) {
        return b;
      }
    }
    try {
      byte[] b = encode(task);
      if (stateless && encodedStateless.size() < 1024) {
        encodedStateless.put(task.getClass(), b);
      }
      return b;
    } catch (NotSerializableException e) {
      throw new IllegalArgumentException(notSerializableMessage(task, e.getMessage(), destination), e);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("task " + describe(task) + " cannot be sent to " + destination + ": " + e, e);
    }
  }

  static String notSerializableMessage(Object task, @Nullable String offending, String destination) {
    String type = offending == null ? task.getClass().getName() : offending;
    StringBuilder sb = new StringBuilder("task cannot be sent to ").append(destination).append(": ");
    if (type.contains("$$Lambda")) {
      sb.append("it is a lambda compiled as a plain (non-serializable) Callable/Runnable (").append(type)
          .append("). A lambda written directly in pool.submit(...) or pool.map(...) is serializable; one that"
              + " went through a variable or parameter typed Callable, Runnable or ExecutorService is not."
              + " Call the Pool method directly, or cast: (Callable<T> & Serializable) () -> ...");
    } else {
      sb.append("it is or captures a ").append(type).append(", which is not java.io.Serializable. Capture only"
          + " serializable values (create clients, streams and connections inside the task), or make ")
          .append(simpleName(type)).append(" implement Serializable.");
    }
    return sb.toString();
  }

  private static String simpleName(String type) {
    return type.substring(type.lastIndexOf('.') + 1);
  }

  private static String describe(Object task) {
    return task.getClass().getName();
  }

  /**
   * Encodes a value.
   *
   * @param value the value
   * @return its bytes
   * @throws IOException if it does not serialize
   */
  public byte[] encode(@Nullable Object value) throws IOException {
    switch (value) {
      case null -> {
        return new byte[] {NULL};
      }
      case Integer i -> {
        return ByteBuffer.allocate(5).put(INT).putInt(i).array();
      }
      case Long l -> {
        return ByteBuffer.allocate(9).put(LONG).putLong(l).array();
      }
      case Double d -> {
        return ByteBuffer.allocate(9).put(DOUBLE).putDouble(d).array();
      }
      case Boolean b -> {
        return new byte[] {BOOLEAN, (byte) (b ? 1 : 0)};
      }
      case String s -> {
        byte[] utf = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[utf.length + 1];
        out[0] = STRING;
        System.arraycopy(utf, 0, out, 1, utf.length);
        return out;
      }
      case byte[] a -> {
        byte[] out = new byte[a.length + 1];
        out[0] = BYTES;
        System.arraycopy(a, 0, out, 1, a.length);
        return out;
      }
      default -> {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        bytes.write(JAVA);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
          out.writeObject(value);
        }
        return bytes.toByteArray();
      }
    }
  }

  /**
   * Decodes a value.
   *
   * @param b bytes from {@link #encode}
   * @return the value
   * @throws IOException if the bytes are corrupt or name a class the filter refuses
   * @throws ClassNotFoundException if a class is missing
   */
  public @Nullable Object decode(byte[] b) throws IOException, ClassNotFoundException {
    if (b.length == 0) {
      throw new java.io.StreamCorruptedException("empty payload");
    }
    ByteBuffer bb = ByteBuffer.wrap(b, 1, b.length - 1);
    return switch (b[0]) {
      case NULL -> null;
      case INT -> bb.getInt();
      case LONG -> bb.getLong();
      case DOUBLE -> bb.getDouble();
      case BOOLEAN -> b[1] != 0;
      case STRING -> new String(b, 1, b.length - 1, StandardCharsets.UTF_8);
      case BYTES -> Arrays.copyOfRange(b, 1, b.length);
      case JAVA -> {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b, 1, b.length - 1))) {
          in.setObjectInputFilter(filter);
          yield in.readObject();
        }
      }
      default -> throw new java.io.StreamCorruptedException("unknown value tag " + b[0]);
    };
  }

  /**
   * Decodes a task, reusing the instance for stateless ones.
   *
   * @param b the task's bytes
   * @return the task
   * @throws IOException if corrupt or refused
   * @throws ClassNotFoundException if a class is missing
   */
  public Object decodeTask(byte[] b) throws IOException, ClassNotFoundException {
    String key = null;
    if (b.length <= 4096) {
      key = new String(b, StandardCharsets.ISO_8859_1);
      Object cached = decodedStateless.get(key);
      if (cached != null) {
        return cached;
      }
    }
    Object task = decode(b);
    if (task == null) {
      throw new java.io.StreamCorruptedException("null task");
    }
    if (key != null && STATELESS.get(task.getClass()) && decodedStateless.size() < 1024) {
      decodedStateless.put(key, task);
    }
    return task;
  }

  /**
   * Encodes an exception thrown by a task: the exception itself when it serializes, otherwise a
   * {@link RemoteTaskException} with its class name, message and stack trace.
   *
   * @param t the exception
   * @return its bytes
   */
  public byte[] encodeThrowable(Throwable t) {
    try {
      return encode(t);
    } catch (IOException | RuntimeException e) {
      RemoteTaskException r = new RemoteTaskException(t.getClass().getName(), t.getMessage(), t.getStackTrace());
      try {
        return encode(r);
      } catch (IOException e2) {
        throw new IllegalStateException("cannot encode even a RemoteTaskException", e2);
      }
    }
  }

  /**
   * Decodes an exception from {@link #encodeThrowable}; a decoding failure becomes a {@link RemoteTaskException}.
   *
   * @param b the bytes
   * @return the exception
   */
  public Throwable decodeThrowable(byte[] b) {
    try {
      Object o = decode(b);
      if (o instanceof Throwable t) {
        return t;
      }
      return new IllegalStateException("worker sent a non-exception as a failure: " + o);
    } catch (IOException | ClassNotFoundException | RuntimeException e) {
      RemoteTaskException r = new RemoteTaskException(
          "unknown", "the task failed, but its exception could not be decoded here: " + e, new StackTraceElement[0]);
      r.initCause(e);
      return r;
    }
  }

}
