package dev.unipool.remote;

import java.util.ArrayList;
import java.util.List;

/**
 * Class-name patterns in the syntax of {@link java.io.ObjectInputFilter.Config#createFilter}, applied to a
 * name rather than a class, so that Fory's readers refuse exactly what Java serialization's filter refuses.
 * {@code a.b.C} matches one class, {@code a.b.*} the classes of package {@code a.b}, {@code a.b.**} that
 * package and its subpackages, {@code Prefix*} names starting with {@code Prefix}; a leading {@code !}
 * rejects. The first matching pattern decides. Immutable and thread-safe.
 */
final class ClassPatterns {
  /** What a pattern list says about a name. */
  enum Verdict {
    ALLOWED,
    REJECTED,
    UNDECIDED
  }

  private record Pattern(String text, boolean reject) {
    boolean matches(String name) {
      if (text.endsWith(".**")) {
        return name.startsWith(text.substring(0, text.length() - 2));
      }
      if (text.endsWith(".*")) {
        String pkg = text.substring(0, text.length() - 1);
        return name.startsWith(pkg) && name.indexOf('.', pkg.length()) < 0;
      }
      if (text.endsWith("*")) {
        return name.startsWith(text.substring(0, text.length() - 1));
      }
      return name.equals(text);
    }
  }

  private final List<Pattern> patterns;

  private ClassPatterns(List<Pattern> patterns) {
    this.patterns = patterns;
  }

  /**
   * Parses a {@code ;}-separated list; limits such as {@code maxdepth=} and module-qualified patterns are
   * skipped (Fory's own limits apply instead).
   */
  static ClassPatterns parse(String spec) {
    List<Pattern> list = new ArrayList<>();
    for (String raw : spec.split(";", -1)) { // empty parts are skipped below
      String p = raw.strip();
      if (p.isEmpty() || p.contains("=") || p.contains("/")) {
        continue;
      }
      boolean reject = p.startsWith("!");
      list.add(new Pattern(reject ? p.substring(1) : p, reject));
    }
    return new ClassPatterns(List.copyOf(list));
  }

  /** The verdict of the first pattern matching {@code className} (array names are judged by their element). */
  Verdict check(String className) {
    String name = elementName(className);
    for (Pattern p : patterns) {
      if (p.matches(name)) {
        return p.reject() ? Verdict.REJECTED : Verdict.ALLOWED;
      }
    }
    return Verdict.UNDECIDED;
  }

  /** Whether {@code className} names a primitive type or an array of one, which no pattern needs to allow. */
  static boolean isPrimitive(String className) {
    String e = elementName(className);
    return switch (e) {
      case "boolean", "byte", "char", "short", "int", "long", "float", "double", "Z", "B", "C", "S", "I", "J", "F",
          "D" -> true;
      default -> false;
    };
  }

  private static String elementName(String name) {
    while (name.endsWith("[]")) {
      name = name.substring(0, name.length() - 2);
    }
    int dims = 0;
    while (dims < name.length() && name.charAt(dims) == '[') {
      dims++;
    }
    if (dims > 0 && name.length() > dims + 1 && name.charAt(dims) == 'L' && name.endsWith(";")) {
      return name.substring(dims + 1, name.length() - 1);
    }
    return dims > 0 ? name.substring(dims) : name;
  }
}
