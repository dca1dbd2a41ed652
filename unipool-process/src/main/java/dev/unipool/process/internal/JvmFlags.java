package dev.unipool.process.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/** Which of this JVM's flags a worker JVM keeps, fitted to the modules the worker has. */
final class JvmFlags {
  /** The flags whose values name modules, and the other flags of this JVM that workers keep. */
  private static final Set<String> MODULE_FLAGS =
      Set.of("--add-opens", "--add-exports", "--add-reads", "--add-modules", "--enable-native-access");

  private JvmFlags() {}

  /**
   * This JVM's flags that workers keep, with module names fitted to the worker: an opening to a module the
   * worker lacks goes to {@code ALL-UNNAMED} (where that module's classes are in a class path worker), a
   * flag about a module the worker lacks is dropped.
   */
  static List<String> inherit(List<String> flags, Predicate<String> known) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < flags.size(); i++) {
      String a = flags.get(i);
      String flag = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (MODULE_FLAGS.contains(flag)) {
        String value;
        if (a.contains("=")) {
          value = a.substring(a.indexOf('=') + 1);
        } else if (i + 1 < flags.size()) {
          value = flags.get(++i);
        } else {
          continue;
        }
        String fitted = fit(flag, value, known);
        if (fitted != null) {
          String f = flag + "=" + fitted;
          if (!out.contains(f)) {
            out.add(f);
          }
        }
      } else if (a.equals("--enable-preview") || a.equals("-ea") || a.equals("-enableassertions")
          || a.startsWith("-Dfile.encoding=") || a.startsWith("-Djava.library.path=")
          || a.startsWith("--sun-misc-unsafe-memory-access=")) {
        out.add(a);
      }
    }
    return out;
  }

  /** A module flag's value as the worker can take it, or null to drop the flag. */
  private static @Nullable String fit(String flag, String value, Predicate<String> known) {
    if (flag.equals("--add-modules") || flag.equals("--enable-native-access")) {
      LinkedHashSet<String> names = new LinkedHashSet<>();
      for (String n : value.split(",", -1)) {
        if (known.test(n)) {
          names.add(n);
        } else if (flag.equals("--enable-native-access")) {
          names.add("ALL-UNNAMED");
        }
      }
      return names.isEmpty() ? null : String.join(",", names);
    }
    // --add-opens/--add-exports source/package=targets, --add-reads source=targets
    int eq = value.indexOf('=');
    if (eq < 0) {
      return value;
    }
    String from = value.substring(0, eq);
    int slash = from.indexOf('/');
    if (!known.test(slash < 0 ? from : from.substring(0, slash))) {
      return null;
    }
    LinkedHashSet<String> targets = new LinkedHashSet<>();
    for (String t : value.substring(eq + 1).split(",", -1)) {
      targets.add(known.test(t) ? t : "ALL-UNNAMED");
    }
    return from + "=" + String.join(",", targets);
  }
}
