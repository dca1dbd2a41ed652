package dev.unipool.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads the JSON the peers script prints: objects (as {@link LinkedHashMap}), arrays ({@link List}),
 * strings, numbers ({@link Double}), booleans and null. Strict; a malformed document throws
 * {@link IllegalArgumentException} with the offset.
 */
final class JsonReader {
  private final String text;
  private int pos;

  private JsonReader(String text) {
    this.text = text;
  }

  static @Nullable Object parse(String text) {
    JsonReader r = new JsonReader(text);
    Object v = r.value();
    r.space();
    if (r.pos != text.length()) {
      throw r.error("trailing text");
    }
    return v;
  }

  private @Nullable Object value() {
    space();
    if (pos >= text.length()) {
      throw error("unexpected end");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{' -> {
        pos++;
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        space();
        if (peek() == '}') {
          pos++;
          return m;
        }
        while (true) {
          space();
          String key = string();
          space();
          expect(':');
          m.put(key, value());
          space();
          if (peek() == ',') {
            pos++;
          } else {
            expect('}');
            return m;
          }
        }
      }
      case '[' -> {
        pos++;
        List<@Nullable Object> l = new ArrayList<>();
        space();
        if (peek() == ']') {
          pos++;
          return l;
        }
        while (true) {
          l.add(value());
          space();
          if (peek() == ',') {
            pos++;
          } else {
            expect(']');
            return l;
          }
        }
      }
      case '"' -> {
        return string();
      }
      default -> {
        for (String lit : new String[] {"true", "false", "null"}) {
          if (text.startsWith(lit, pos)) {
            pos += lit.length();
            return lit.equals("null") ? null : Boolean.valueOf(lit);
          }
        }
        int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
          pos++;
        }
        try {
          return Double.parseDouble(text.substring(start, pos));
        } catch (NumberFormatException e) {
          pos = start;
          throw error("not a value");
        }
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = text.charAt(pos++);
      switch (e) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'u' -> {
          sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          pos += 4;
        }
        default -> sb.append(e);
      }
    }
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private void space() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at offset " + pos);
  }
}
