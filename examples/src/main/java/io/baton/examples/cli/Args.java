package io.baton.examples.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The parsed arguments of one subcommand: {@code --name value} (or {@code --name=value}) options,
 * {@code --flag}s and positional arguments, in any order. Only words starting with {@code --} are
 * options, so negative numbers such as coordinates are positional; {@code --} ends the options.
 * Every problem is a {@link UsageException} whose message names the option or argument.
 */
final class Args {
  private final String command;
  private final Map<String, String> values;
  private final Set<String> flags;
  private final List<String> positional;

  private Args(
      String command, Map<String, String> values, Set<String> flags, List<String> positional) {
    this.command = command;
    this.values = values;
    this.flags = flags;
    this.positional = positional;
  }

  /**
   * Parses {@code argv} for {@code command} (such as {@code "kv get"}).
   *
   * @param valueOptions the options that take a value, without their dashes
   * @param flagOptions the options that take none, without their dashes ({@code help} is implied)
   */
  static Args parse(
      String command, List<String> argv, Set<String> valueOptions, Set<String> flagOptions) {
    Map<String, String> values = new LinkedHashMap<>();
    Set<String> flags = new HashSet<>();
    List<String> positional = new ArrayList<>();
    boolean optionsEnded = false;
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (optionsEnded || !arg.startsWith("-") || arg.equals("-") || isNumber(arg)) {
        positional.add(arg);
        continue;
      }
      if (arg.equals("--")) {
        optionsEnded = true;
        continue;
      }
      if (arg.equals("-h") || arg.equals("--help")) {
        flags.add("help");
        continue;
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unknown option " + arg + " for '" + command + "'");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (valueOptions.contains(name)) {
        if (value == null) {
          if (i + 1 >= argv.size()) {
            throw new UsageException("option --" + name + " needs a value");
          }
          value = argv.get(++i);
        }
        if (values.putIfAbsent(name, value) != null) {
          throw new UsageException("option --" + name + " is given twice");
        }
      } else if (flagOptions.contains(name)) {
        if (value != null) {
          throw new UsageException("option --" + name + " takes no value");
        }
        flags.add(name);
      } else {
        throw new UsageException("unknown option --" + name + " for '" + command + "'");
      }
    }
    return new Args(command, values, flags, positional);
  }

  private static boolean isNumber(String arg) {
    try {
      Double.parseDouble(arg);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  boolean help() {
    return flags.contains("help");
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  Optional<String> option(String name) {
    return Optional.ofNullable(values.get(name));
  }

  String required(String name) {
    return option(name)
        .orElseThrow(() -> new UsageException("'" + command + "' needs the option --" + name));
  }

  /** The value of {@code --name} as an integer in [min, max], or {@code defaultValue}. */
  long longOption(String name, long defaultValue, long min, long max) {
    Optional<String> text = option(name);
    if (text.isEmpty()) {
      return defaultValue;
    }
    long value;
    try {
      value = Long.parseLong(text.get().trim());
    } catch (NumberFormatException e) {
      throw new UsageException("option --" + name + ": '" + text.get() + "' is not a whole number");
    }
    if (value < min || value > max) {
      throw new UsageException(
          "option --" + name + ": " + value + " is out of range " + min + " to " + max);
    }
    return value;
  }

  /** The value of {@code --name} as one of {@code type}'s constants, ignoring case. */
  <E extends Enum<E>> E enumOption(String name, Class<E> type, E defaultValue) {
    Optional<String> text = option(name);
    if (text.isEmpty()) {
      return defaultValue;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(text.get().trim())) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    throw new UsageException(
        "option --" + name + ": '" + text.get() + "' is not one of " + String.join(", ", names));
  }

  /**
   * The positional arguments, checking there are between {@code min} and {@code max}.
   *
   * @param names how the usage names them, for the message
   */
  List<String> positional(int min, int max, String names) {
    if (positional.size() < min || positional.size() > max) {
      String expected =
          min == max ? (min == 0 ? "no arguments" : min + " argument(s)") : min + " to " + max;
      throw new UsageException(
          "'"
              + command
              + "' takes "
              + expected
              + (names.isEmpty() ? "" : " (" + names + ")")
              + ", got "
              + positional.size()
              + (positional.isEmpty() ? "" : ": " + String.join(" ", positional)));
    }
    return positional;
  }

  /** Parses positional {@code text} named {@code name} as a number. */
  static double number(String name, String text) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(name + ": '" + text + "' is not a number");
    }
  }

  /** Parses positional {@code text} named {@code name} as a whole number. */
  static long wholeNumber(String name, String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(name + ": '" + text + "' is not a whole number");
    }
  }
}
