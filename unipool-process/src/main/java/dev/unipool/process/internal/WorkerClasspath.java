package dev.unipool.process.internal;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where this JVM's application classes really are, read from the class loaders that hold them rather than
 * from {@code java.class.path}, which under a launcher (Maven's {@code exec:java}, a Spring Boot jar) names
 * only the launcher.
 *
 * <p>Each class loader from the nearest one up to the platform loader adds what it can list: a
 * {@link URLClassLoader} (exec:java's, Maven's class realms, Surefire's isolated loader, Spring Boot's) its
 * URLs, the JDK's application loader {@code java.class.path}. Jars nested in a jar ({@code jar:nested:} and
 * {@code jar:file:…!/…} URLs, as Spring Boot's loaders use) are unpacked by {@link NestedJars}. A loader
 * nearer the application comes first: launchers put their own jars in outer loaders (classworlds,
 * Surefire's booter), which must never shadow the application's classes.
 */
final class WorkerClasspath {
  private static final String APP_LOADER = "jdk.internal.loader.ClassLoaders$AppClassLoader";

  private WorkerClasspath() {}

  /**
   * What detection found.
   *
   * @param mode how this JVM was launched, for messages, e.g. {@code "Maven exec:java"}
   * @param entries class path entries, in order, without duplicates
   * @param sources what the entries were read from, for messages
   * @param unlisted class loaders that hold classes but cannot list where they come from, and URLs that are
   *     not files
   */
  record Found(String mode, List<String> entries, List<String> sources, List<String> unlisted) {}

  /**
   * Reads the class path from these loaders and their parents.
   *
   * @param starts the loaders nearest the application first (the one that opened the pool, the context
   *     loader, unipool's own); nulls are skipped
   * @param javaClassPath this JVM's {@code java.class.path}
   * @throws IOException if a jar with nested jars cannot be unpacked
   */
  static Found detect(List<@Nullable ClassLoader> starts, String javaClassPath) throws IOException {
    LinkedHashSet<String> entries = new LinkedHashSet<>();
    List<String> sources = new ArrayList<>();
    List<String> unlisted = new ArrayList<>();
    String mode = null;
    Set<ClassLoader> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ClassLoader platform = ClassLoader.getPlatformClassLoader();
    for (@Nullable ClassLoader start : starts) {
      for (ClassLoader l = start; l != null && l != platform; l = l.getParent()) {
        if (!seen.add(l)) {
          break; // the rest of this chain has been read already
        }
        String found;
        if (l instanceof URLClassLoader u) {
          found = describe(u);
          Path outer = null;
          for (URL url : u.getURLs()) {
            Nested nested = nested(url);
            if (nested != null) {
              outer = nested.outer();
              entries.add(NestedJars.inside(NestedJars.unpack(nested.outer()), nested.entry()).toString());
              continue;
            }
            Path file = file(url);
            if (file != null) {
              entries.add(file.toString());
            } else {
              unlisted.add(url + " (of " + found + ")");
            }
          }
          if (outer != null) {
            Path name = outer.getFileName();
            found += " " + (name == null ? outer : name);
          }
          sources.add("the URLs of " + found + "'s class loader");
        } else if (l.getClass().getName().equals(APP_LOADER)) {
          found = describeClassPath(javaClassPath);
          for (String e : javaClassPath.split(File.pathSeparator, -1)) {
            if (!e.isEmpty()) {
              entries.add(e);
            }
          }
          sources.add("java.class.path");
        } else {
          found = "class loader " + l.getClass().getName();
          unlisted.add(found + " (not a URLClassLoader: unipool cannot list its jars)");
        }
        if (mode == null) {
          mode = found;
        }
      }
    }
    return new Found(mode == null ? "class path" : mode, List.copyOf(entries), sources, unlisted);
  }

  /** The loaders' names users know them by. */
  private static String describe(URLClassLoader l) {
    return switch (l.getClass().getName()) {
      case "org.codehaus.mojo.exec.URLClassLoaderBuilder$ExecJavaClassLoader" -> "Maven exec:java";
      case "org.codehaus.plexus.classworlds.realm.ClassRealm" -> "Maven class realm";
      case "org.apache.maven.surefire.booter.IsolatedClassLoader" -> "Surefire (isolated class loader)";
      case "org.springframework.boot.loader.launch.LaunchedClassLoader",
          "org.springframework.boot.loader.LaunchedURLClassLoader" -> "Spring Boot executable jar";
      default -> "URLClassLoader " + l.getClass().getName();
    };
  }

  private static String describeClassPath(String javaClassPath) {
    String command = System.getProperty("sun.java.command", "");
    if (!javaClassPath.isEmpty() && !javaClassPath.contains(File.pathSeparator)) {
      Path only = Path.of(javaClassPath).getFileName();
      String name = only == null ? javaClassPath : only.toString();
      if (name.startsWith("surefirebooter")) {
        return "Surefire (class path in a manifest-only jar)";
      }
      if (command.startsWith(javaClassPath + " ") || command.equals(javaClassPath)) {
        return "java -jar " + name;
      }
    }
    return "class path";
  }

  /** A jar inside a jar, or a directory inside a jar. */
  record Nested(Path outer, String entry) {}

  /**
   * Reads Spring Boot's nested URLs: {@code jar:nested:/app.jar/!BOOT-INF/lib/x.jar!/} (Boot 3.2 and later)
   * and {@code jar:file:/app.jar!/BOOT-INF/lib/x.jar!/} (earlier); null for anything else.
   */
  static @Nullable Nested nested(URL url) {
    String s = url.toString();
    if (s.endsWith("!/")) {
      s = s.substring(0, s.length() - 2);
    }
    if (s.startsWith("jar:nested:")) {
      String rest = s.substring("jar:nested:".length());
      int bang = rest.lastIndexOf("/!");
      if (bang < 0) {
        return null;
      }
      Path outer = fromRawPath(rest.substring(0, bang));
      return outer == null ? null : new Nested(outer, rest.substring(bang + 2));
    }
    if (s.startsWith("jar:file:")) {
      String rest = s.substring("jar:".length());
      int bang = rest.indexOf("!/");
      if (bang < 0) {
        return null; // jar:file:/x.jar!/ is the jar itself: file() reads it
      }
      Path outer = fromRawPath(rest.substring("file:".length(), bang));
      return outer == null ? null : new Nested(outer, rest.substring(bang + 2));
    }
    return null;
  }

  private static @Nullable Path fromRawPath(String raw) {
    try {
      return Path.of(new URI("file://" + (raw.startsWith("/") ? raw : "/" + raw)));
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }

  /** The file a {@code file:} URL (or {@code jar:file:/x.jar!/}) names, or null. */
  static @Nullable Path file(URL url) {
    try {
      String s = url.toString();
      if (s.startsWith("jar:file:") && s.endsWith("!/") && s.indexOf("!/") == s.length() - 2) {
        return Path.of(new URI(s.substring("jar:".length(), s.length() - 2)));
      }
      if ("file".equals(url.getProtocol())) {
        return Path.of(url.toURI());
      }
    } catch (URISyntaxException | IllegalArgumentException e) {
      // not a usable file URL
    }
    return null;
  }

  /** Where a class was loaded from, as a class path entry (unpacked when it sat in a nested jar), or null. */
  static @Nullable Path location(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    URL url = source == null ? null : source.getLocation();
    if (url == null) {
      return null;
    }
    try {
      Nested nested = nested(url);
      if (nested != null) {
        return NestedJars.inside(NestedJars.unpack(nested.outer()), nested.entry());
      }
    } catch (IOException e) {
      return null;
    }
    return file(url);
  }
}
