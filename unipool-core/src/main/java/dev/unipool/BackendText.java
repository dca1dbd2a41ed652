package dev.unipool;

import java.util.Locale;

/**
 * Backends configured by text: the text form ({@link Backend#parse(String)}, {@code UNIPOOL_BACKEND}), its
 * error messages, and path lists given as {@code java -cp} strings. Kept out of {@code Backend}, which holds
 * the configuration types.
 */
final class BackendText {
  private BackendText() {}

  /** See {@link Backend#parse(String)}. */
  static Backend parse(String spec) {
    String s = spec.strip();
    int colon = s.indexOf(':');
    String name = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
    String arg = colon < 0 ? null : s.substring(colon + 1); // case kept: a cluster name is case-sensitive
    try {
      switch (name) {
        case "inline", "virtual", "auto" -> {
          if (arg != null) {
            break;
          }
          return switch (name) {
            case "inline" -> Backend.inline();
            case "virtual" -> Backend.virtual();
            default -> Backend.auto();
          };
        }
        case "threads" -> {
          return arg == null ? Backend.threads() : Backend.threads(Integer.parseInt(arg));
        }
        case "processes" -> {
          return arg == null ? Backend.processes() : Backend.processes(Integer.parseInt(arg));
        }
        case "cluster" -> {
          if (arg == null || arg.isBlank()) {
            throw new IllegalArgumentException("cluster needs member addresses, e.g. cluster:127.0.0.1:5801");
          }
          int at = arg.lastIndexOf('@'); // a host has no '@'; a name might
          Backend.Cluster c = Backend.cluster((at < 0 ? arg : arg.substring(at + 1)).split(","));
          return at < 0 ? c : c.clusterName(arg.substring(0, at));
        }
        default -> {}
      }
    } catch (IllegalArgumentException e) { // NumberFormatException too
      throw new IllegalArgumentException(
          "'" + withoutName(spec) + "' is not a valid backend: " + e.getMessage() + ". Valid backends: " + Backend.VALID_FORMS, e);
    }
    throw new IllegalArgumentException("'" + withoutName(spec) + "' is not a valid backend. Valid backends: " + Backend.VALID_FORMS);
  }

  /** {@code spec} with a cluster name shown as NAME: messages end up in logs, and the name is a secret. */
  private static String withoutName(String spec) {
    int colon = spec.indexOf(':');
    int at = spec.lastIndexOf('@');
    return colon < 0 || at < colon ? spec : spec.substring(0, colon + 1) + "NAME" + spec.substring(at);
  }

  /** Splits entries that hold several paths ({@code a.jar:lib/*}) and refuses blank ones. */
  static java.util.List<String> pathEntries(java.util.List<String> given, String what) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String entry : given) {
      for (String part : entry.split(java.util.regex.Pattern.quote(java.io.File.pathSeparator), -1)) {
        if (part.isBlank()) {
          throw new IllegalArgumentException(what + " entries must not be blank, got '" + entry + "'");
        }
        out.add(part);
      }
    }
    return java.util.List.copyOf(out);
  }
}
