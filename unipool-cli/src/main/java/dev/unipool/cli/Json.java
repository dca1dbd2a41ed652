package dev.unipool.cli;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes JSON text from plain Java values: {@link Map} (keys as strings, in iteration order),
 * {@link Iterable}, {@link CharSequence}, {@link Number}, {@link Boolean} and {@code null}. Enough for
 * the command's {@code --json} output without a JSON library.
 */
public final class Json {
  private Json() {}

  /**
   * Writes {@code value} as JSON text; NaN and infinite numbers become {@code null}.
   *
   * @param value a map, iterable, string, number, boolean or null; anything else is written as its string
   * @return the JSON text
   */
  public static String write(@Nullable Object value) {
    StringBuilder sb = new StringBuilder();
    append(sb, value);
    return sb.toString();
  }

  private static void append(StringBuilder sb, @Nullable Object value) {
    switch (value) {
      case null -> sb.append("null");
      case Boolean b -> sb.append(b);
      case Double d when d.isNaN() || d.isInfinite() -> sb.append("null");
      case Float f when f.isNaN() || f.isInfinite() -> sb.append("null");
      case Number n -> sb.append(n);
      case CharSequence s -> quote(sb, s);
      case Map<?, ?> map -> {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          quote(sb, String.valueOf(e.getKey()));
          sb.append(':');
          append(sb, e.getValue());
        }
        sb.append('}');
      }
      case Iterable<?> items -> {
        sb.append('[');
        boolean first = true;
        for (Object item : items) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          append(sb, item);
        }
        sb.append(']');
      }
      default -> quote(sb, value.toString());
    }
  }

  private static void quote(StringBuilder sb, CharSequence s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
