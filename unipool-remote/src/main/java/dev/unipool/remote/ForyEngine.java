package dev.unipool.remote;

import java.io.IOException;
import java.io.InvalidClassException;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.Language;
import org.apache.fory.exception.InsecureException;
import org.apache.fory.logging.LogLevel;
import org.apache.fory.logging.LoggerFactory;
import org.apache.fory.resolver.TypeChecker;
import org.apache.fory.resolver.TypeResolver;
import org.apache.fory.serializer.PrimitiveArraySerializers;
import org.jspecify.annotations.Nullable;

/**
 * The Apache Fory instances behind {@link Codec}: one writer per JVM and one reader per allow-list.
 * Thread-safe.
 *
 * <p>Two instances, not one, because Fory's type checker cannot tell writing from reading, and the two
 * directions need different checks. The writer refuses any class that is not {@link Serializable}, so a
 * task is held to the same rule as with Java serialization (Fory itself would serialize anything); the
 * reader applies the deny-list and the user's allow-list, and must accept the non-serializable class that
 * declares a lambda in order to rebuild the lambda; it refuses to instantiate a class that is not
 * {@code Serializable} through a serializer factory instead (see {@link #serializableOnRead}).
 *
 * <p>Building Fory and creating its first serializers costs a couple of hundred milliseconds, more than a
 * whole worker start. So nothing here is built until {@link #warmUpAsync} is called, and callers use Fory
 * only once {@link #writerReady} says it is warm; Java serialization carries the traffic until then.
 */
final class ForyEngine {
  /** Nesting deeper than this is refused while reading, like Java serialization's {@code maxdepth}. */
  private static final int MAX_DEPTH = 2000;

  private static final ConcurrentHashMap<String, Warm> READERS = new ConcurrentHashMap<>();
  private static final Warm WRITER = new Warm(ForyEngine::newWriter);

  static {
    // Fory logs to System.out, which in a worker is the user's output; its errors reach us as exceptions.
    if (System.getenv("FORY_LOG_LEVEL") == null) {
      LoggerFactory.setLogLevel(LogLevel.ERROR_LEVEL);
    }
  }

  private ForyEngine() {}

  /** A Fory instance built once, on demand, by whichever thread asks first. */
  private static final class Warm {
    private final Callable<ThreadSafeFory> factory;
    private final CountDownLatch built = new CountDownLatch(1);
    private volatile @Nullable ThreadSafeFory fory;
    private volatile @Nullable RuntimeException failure;
    private boolean started; // guarded by this
    private final List<Runnable> whenBuilt = new ArrayList<>(); // guarded by this

    Warm(Callable<ThreadSafeFory> factory) {
      this.factory = factory;
    }

    /** Starts building in a daemon thread unless already started. */
    void startAsync() {
      if (claim()) {
        try {
          Thread.ofPlatform().daemon().name("unipool-codec-warmup").start(this::build);
        } catch (Throwable t) { // e.g. no native thread left: fail the build rather than leave waiters hanging
          failure = new IllegalStateException("could not start Apache Fory's warm-up: " + t, t);
          built.countDown();
        }
      }
    }

    private synchronized boolean claim() {
      if (started) {
        return false;
      }
      started = true;
      return true;
    }

    private void build() {
      try {
        fory = factory.call();
      } catch (Throwable e) { // recorded for every waiter; without it they would see a bare NPE
        failure = new IllegalStateException("Apache Fory could not start: " + e, e);
      } finally {
        built.countDown();
      }
      List<Runnable> actions;
      synchronized (this) {
        actions = List.copyOf(whenBuilt);
        whenBuilt.clear();
      }
      if (fory != null) {
        actions.forEach(Runnable::run);
      }
    }

    /** Runs {@code action} once the instance is built: now if it is, else in the thread that builds it. */
    void whenBuilt(Runnable action) {
      synchronized (this) {
        if (fory == null && failure == null) {
          whenBuilt.add(action);
          return;
        }
      }
      if (fory != null) {
        action.run();
      }
    }

    @Nullable ThreadSafeFory ifReady() {
      return fory;
    }

    /** The instance, building it in this thread (or waiting for the thread building it). */
    ThreadSafeFory get() {
      ThreadSafeFory f = fory;
      if (f != null) {
        return f;
      }
      if (claim()) {
        build();
      } else {
        boolean interrupted = false;
        while (true) {
          try {
            built.await();
            break;
          } catch (InterruptedException e) {
            interrupted = true; // a task's cancellation must not leave the codec half-built for others
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      f = fory;
      if (f == null) {
        throw java.util.Objects.requireNonNull(failure);
      }
      return f;
    }
  }

  /** Starts building the writer and the reader for {@code allowClasses} in the background. */
  static void warmUpAsync(List<String> allowClasses) {
    WRITER.startAsync();
    reader(allowClasses).startAsync();
  }

  /**
   * Runs {@code action} once the reader for {@code allowClasses} is built: at once if it is, else in the
   * thread that builds it, right after. Never if building it fails. Does not start the build.
   */
  static void whenReaderBuilt(List<String> allowClasses, Runnable action) {
    reader(allowClasses).whenBuilt(action);
  }

  /** Whether the writer is built (never blocks). */
  static boolean writerReady() {
    return WRITER.ifReady() != null;
  }

  /**
   * Writes {@code value} with the writer, building it now if needed. Primitive arrays of {@link Codec#PART_MIN}
   * bytes or more are not copied into the body but become the result's parts, by reference.
   *
   * @return the encoded value (tag {@link Codec#FORY}, or {@link Codec#PARTS} if it has parts), or null if
   *     Fory refuses or cannot write it (the caller then uses Java serialization)
   */
  static Codec.@Nullable Encoded serialize(Object value) {
    List<Object> parts = new ArrayList<>(0);
    List<Object> outer = PARTS.get(); // a task's writeObject may itself submit a task
    PARTS.set(parts);
    try {
      byte[] body = writer().serialize(value);
      return parts.isEmpty() ? new Codec.Encoded(Codec.FORY, body) : new Codec.Encoded(Codec.PARTS, body, parts);
    } catch (RuntimeException e) {
      return null;
    } finally {
      restore(outer);
    }
  }

  /**
   * Reads a Fory payload with the reader for {@code allowClasses}, building it now if needed. The parts
   * of {@code e} become the primitive arrays the body refers to, as they are.
   *
   * @throws InvalidClassException if a class is refused by the deny-list or allow-list
   * @throws StreamCorruptedException if the bytes cannot be read
   */
  static @Nullable Object deserialize(Codec.Encoded e, List<String> allowClasses) throws IOException {
    List<Object> outer = PARTS.get();
    PARTS.set(e.parts());
    try {
      return readerFor(allowClasses).deserialize(e.body());
    } catch (RuntimeException x) {
      for (Throwable c = x; c != null; c = c.getCause()) {
        if (c instanceof InsecureException refused) { // possibly wrapped, e.g. inside a lambda's captures
          throw new InvalidClassException("refused by the deserialization filter: " + refused.getMessage());
        }
      }
      throw new StreamCorruptedException("cannot decode a Fory payload: " + x);
    } finally {
      restore(outer);
    }
  }

  private static void restore(@Nullable List<Object> outer) {
    if (outer == null) {
      PARTS.remove();
    } else {
      PARTS.set(outer);
    }
  }

  /**
   * The parts of the value being written or read on this thread; null outside {@link #serialize} and
   * {@link #deserialize} (Fory's own warm-up, say), where such arrays are written inline.
   */
  private static final ThreadLocal<@Nullable List<Object>> PARTS = new ThreadLocal<>();

  /**
   * Fory's serializer for a primitive array type that may travel as a part, wrapped so that a large array
   * is not copied into the body: it is written as {@code -1 - index} into the value's parts, a small one as
   * {@code 0} and then as Fory writes it. Reading returns the part itself, so an array read into its own
   * buffer by the transport is never copied again.
   */
  private static final class PartArrays<T> extends org.apache.fory.serializer.Serializer<T> {
    private final Class<T> arrayType;
    private final org.apache.fory.serializer.Serializer<T> inline;

    PartArrays(TypeResolver resolver, Class<T> type,
        org.apache.fory.serializer.Serializer<T> inline) {
      super(resolver.getConfig(), type);
      this.arrayType = type;
      this.inline = inline;
    }

    @Override
    public void write(org.apache.fory.context.WriteContext context, T value) {
      List<Object> parts = PARTS.get();
      if (parts != null && Parts.isLarge(value)) {
        context.writeVarInt32(-1 - parts.size());
        parts.add(value);
      } else {
        context.writeVarInt32(0);
        inline.write(context, value);
      }
    }

    @Override
    public T read(org.apache.fory.context.ReadContext context) {
      int n = context.getBuffer().readVarInt32();
      if (n == 0) {
        return inline.read(context);
      }
      List<Object> parts = PARTS.get();
      int index = -1 - n;
      if (n > 0 || parts == null || index >= parts.size()) {
        throw new IllegalStateException("a " + arrayType.getSimpleName() + " refers to part " + index
            + " of a payload that has " + (parts == null ? 0 : parts.size()));
      }
      Object part = parts.get(index);
      if (!arrayType.isInstance(part)) {
        throw new IllegalStateException("a " + arrayType.getSimpleName() + " refers to part " + index + ", a "
            + part.getClass().getSimpleName());
      }
      return arrayType.cast(part);
    }
  }

  /** Registers {@link PartArrays} for every array type that may be a part. */
  private static void registerPartArrays(ThreadSafeFory f) {
    registerPartArray(f, byte[].class, PrimitiveArraySerializers.ByteArraySerializer::new);
    registerPartArray(f, short[].class, PrimitiveArraySerializers.ShortArraySerializer::new);
    registerPartArray(f, char[].class, PrimitiveArraySerializers.CharArraySerializer::new);
    registerPartArray(f, int[].class, PrimitiveArraySerializers.IntArraySerializer::new);
    registerPartArray(f, long[].class, PrimitiveArraySerializers.LongArraySerializer::new);
    registerPartArray(f, float[].class, PrimitiveArraySerializers.FloatArraySerializer::new);
    registerPartArray(f, double[].class, PrimitiveArraySerializers.DoubleArraySerializer::new);
  }

  private static <T> void registerPartArray(ThreadSafeFory f, Class<T> type,
      java.util.function.Function<TypeResolver, org.apache.fory.serializer.Serializer<T>> inline) {
    f.registerSerializer(type, r -> new PartArrays<>(r, type, inline.apply(r)));
  }

  /** The writer, built now if needed. */
  static ThreadSafeFory writer() {
    return WRITER.get();
  }

  /** The reader for {@code allowClasses} (empty: everything but the deny-list), built now if needed. */
  static ThreadSafeFory readerFor(List<String> allowClasses) {
    return reader(allowClasses).get();
  }

  private static Warm reader(List<String> allowClasses) {
    String key = String.join(";", allowClasses);
    return READERS.computeIfAbsent(key, k -> new Warm(() -> newReader(allowClasses)));
  }

  private static ThreadSafeFory newWriter() {
    ThreadSafeFory f = builder().withTypeChecker(ForyEngine::serializableOnly).buildThreadSafeFory();
    registerPartArrays(f);
    for (Object o : samples()) {
      f.serialize(o); // create the serializers every task needs while nobody waits
    }
    return f;
  }

  private static ThreadSafeFory newReader(List<String> allowClasses) {
    ClassPatterns deny = ClassPatterns.parse(Codec.DENY);
    ClassPatterns allow = allowClasses.isEmpty()
        ? null
        : ClassPatterns.parse(Codec.ALWAYS + ";" + String.join(";", allowClasses));
    TypeChecker checker = (resolver, name) -> {
      if (deny.check(name) == ClassPatterns.Verdict.REJECTED) {
        return false; // Fory says "forbidden for deserialization", naming the class
      }
      if (allow != null && allow.check(name) != ClassPatterns.Verdict.ALLOWED && !ClassPatterns.isPrimitive(name)) {
        throw new InsecureException("class " + name + " is not on this pool's allow-list; add it with"
            + " allowClasses(\"" + name + "\") or a pattern such as \"" + packagePattern(name) + "\"");
      }
      return true;
    };
    ThreadSafeFory f = builder()
        .withTypeChecker(checker)
        .withSerializerFactory(ForyEngine::serializableOnRead)
        .buildThreadSafeFory();
    registerPartArrays(f);
    ThreadSafeFory w = WRITER.get();
    for (Object o : samples()) {
      f.deserialize(w.serialize(o));
    }
    return f;
  }

  /**
   * The reader's rule that only {@link Serializable} classes are instantiated, as with Java serialization:
   * a hand-made payload could otherwise name any class on the class path. Not a type check: the type
   * checker also sees the class that declares a lambda, which need not be serializable, and Class values
   * (both are fine in Java serialization). Fory asks this factory whenever it needs a serializer for a
   * class it has none for; such a class gets a serializer that refuses to read an instance, so a field
   * of its type that is null, or a Class value, still decodes.
   */
  private static org.apache.fory.serializer.@Nullable Serializer<?> serializableOnRead(
      TypeResolver resolver, Class<?> c) {
    if (c.isArray() || c.isPrimitive() || c.isInterface() || c.isEnum() || c.isHidden()
        || Serializable.class.isAssignableFrom(c) || c.getName().startsWith("org.apache.fory.")) {
      return null; // Fory's own choice of serializer
    }
    return new Refused<>(resolver, c);
  }

  /** Stands in for the serializer of a class that is not {@link Serializable}: reading an instance fails. */
  private static final class Refused<T> extends org.apache.fory.serializer.Serializer<T> {
    Refused(TypeResolver resolver, Class<T> type) {
      super(resolver.getConfig(), type);
    }

    @Override
    public void write(org.apache.fory.context.WriteContext context, T value) {
      throw new InsecureException(type.getName() + " is not java.io.Serializable");
    }

    @Override
    public T read(org.apache.fory.context.ReadContext context) {
      throw new InsecureException("class " + type.getName() + " is not java.io.Serializable, so it is not"
          + " read, as Java serialization would not (the sender's codec never writes one: was it hand-made?)");
    }
  }

  private static String packagePattern(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(0, dot) + ".*";
  }

  private static org.apache.fory.config.ForyBuilder builder() {
    return Fory.builder()
        .withLanguage(Language.JAVA)
        .withRefTracking(true) // shared and cyclic references come back as they were, as with Java serialization
        .requireClassRegistration(false) // tasks are arbitrary user classes; the type checkers guard instead
        .withCodegen(false) // generated serializers pay off only after thousands of objects; workers are short-lived
        // Class names, not shared type definitions: a reader then builds every serializer through
        // createSerializer, where serializableOnRead sees it. (In the default COMPATIBLE mode a payload
        // carries type definitions from which Fory builds serializers without asking the factory, so a
        // hand-made payload could instantiate any class the type checker lets through.) A COMPATIBLE
        // payload is refused by a reader in this mode ("Meta share must be enabled").
        .withCompatibleMode(org.apache.fory.config.CompatibleMode.SCHEMA_CONSISTENT)
        .withMaxDepth(MAX_DEPTH);
  }

  /**
   * The writer's check: only {@link Serializable} classes (and the JDK types Fory handles itself) may be
   * written. Throws rather than returning false, so that the message names the class.
   */
  private static boolean serializableOnly(Object resolver, String name) {
    Class<?> c = load(name);
    if (c == null) {
      if (name.contains("$$Lambda")) {
        return true; // a lambda's hidden class: Fory writes it as the SerializedLambda it checks separately
      }
      // Cannot check it, so Fory must not write it: Java serialization then decides, on the object itself.
      throw new InsecureException(name + " cannot be checked for java.io.Serializable from this thread");
    }
    if (c.isArray() || c.isPrimitive() || c.isInterface() || c.isEnum() || Serializable.class.isAssignableFrom(c)) {
      return true;
    }
    throw new InsecureException(name + " is not java.io.Serializable");
  }

  /** The class by name through the context loader, unipool's loader or the system loader, or null. */
  private static @Nullable Class<?> load(String name) {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    for (ClassLoader l : new ClassLoader[] {context, ForyEngine.class.getClassLoader(), ClassLoader.getSystemClassLoader()}) {
      if (l == null) {
        continue;
      }
      try {
        return Class.forName(name, false, l);
      } catch (ClassNotFoundException | LinkageError e) {
        // try the next loader
      }
    }
    return null;
  }

  /**
   * One of each kind of object tasks are made of: a capturing lambda, a record, a plain class with fields.
   * The first of each kind costs Fory ~100 ms; later classes of a kind ~10 ms. Paid here, in the
   * background, rather than inside the first task (and its timeout).
   */
  private static List<Object> samples() {
    List<Integer> captured = List.of(1, 2, 3);
    Callable<Integer> lambda = (Callable<Integer> & Serializable) () -> captured.size();
    return List.of(lambda, new SampleRecord(1, "a", captured), new SampleObject(), java.util.Map.of("k", 1L));
  }

  private record SampleRecord(int n, String s, List<Integer> list) implements Serializable {}

  @SuppressWarnings("unused") // fields exist to be serialized
  private static final class SampleObject implements Serializable {
    @java.io.Serial private static final long serialVersionUID = 1L;
    private int count = 1;
    private String name = "sample";
    private long[] values = {1, 2};
    private @Nullable Object ref = List.of("x");
  }
}
