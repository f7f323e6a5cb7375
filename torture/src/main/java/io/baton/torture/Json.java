package io.baton.torture;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/** Writes maps, lists, strings, numbers, booleans and nulls as JSON. */
final class Json {
  private Json() {}

  static String write(Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value, 0);
    return b.append('\n').toString();
  }

  /** One value on one line (for JSON Lines). */
  static String line(Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value, -1);
    return b.toString();
  }

  private static void write(StringBuilder b, Object v, int indent) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String s) {
      string(b, s);
    } else if (v instanceof Double d) {
      b.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.3f", d));
    } else if (v instanceof Number || v instanceof Boolean) {
      b.append(v);
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        b.append(first ? "" : indent < 0 ? ", " : ",");
        newline(b, indent < 0 ? -1 : indent + 1);
        string(b, String.valueOf(e.getKey()));
        b.append(indent >= 0 ? ": " : ":");
        write(b, e.getValue(), indent < 0 ? -1 : indent + 1);
        first = false;
      }
      if (!m.isEmpty()) {
        newline(b, indent);
      }
      b.append('}');
    } else if (v instanceof Collection<?> c) {
      b.append('[');
      boolean first = true;
      boolean simple = c.stream().noneMatch(x -> x instanceof Map || x instanceof Collection);
      for (Object x : c) {
        b.append(first ? "" : simple || indent < 0 ? ", " : ",");
        if (!simple) {
          newline(b, indent < 0 ? -1 : indent + 1);
        }
        write(b, x, indent < 0 ? -1 : indent + 1);
        first = false;
      }
      if (!simple && !c.isEmpty()) {
        newline(b, indent);
      }
      b.append(']');
    } else {
      string(b, v.toString());
    }
  }

  private static void newline(StringBuilder b, int indent) {
    if (indent >= 0) {
      b.append('\n').append("  ".repeat(indent));
    }
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
