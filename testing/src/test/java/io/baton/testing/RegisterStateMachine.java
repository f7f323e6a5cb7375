package io.baton.testing;

import io.baton.statemachine.Command;
import io.baton.statemachine.Keys;
import io.baton.statemachine.StateMachine;
import io.baton.statemachine.StateReader;
import io.baton.statemachine.StateWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A text key-value state machine for cluster tests. Commands: {@code put <key> <value>}, {@code
 * incr <counter>} (not idempotent: a command applied twice shows), {@code fail} (apply throws: a
 * state machine bug). Queries: {@code get <key>} (empty reply if absent), {@code counter <name>}
 * (eight bytes) and {@code count} (keys put). Anything else is rejected by {@link #validate} or
 * {@link #query}.
 */
public final class RegisterStateMachine implements StateMachine {
  private static final byte[] COUNT = Keys.utf8("\0count");
  private final AtomicInteger opens = new AtomicInteger();
  private final boolean fixed;

  /** A state machine whose {@code fail} command throws from apply. */
  public RegisterStateMachine() {
    this(false);
  }

  /**
   * A state machine whose {@code fail} command throws from apply, or, once {@code fixed}, is
   * applied as a no-op: the "bug fix" deployed after a halt.
   */
  public RegisterStateMachine(boolean fixed) {
    this.fixed = fixed;
  }

  /** A put command. */
  public static byte[] put(String key, String value) {
    return ("put " + key + " " + value).getBytes(StandardCharsets.UTF_8);
  }

  /** An increment command. */
  public static byte[] incr(String counter) {
    return ("incr " + counter).getBytes(StandardCharsets.UTF_8);
  }

  /** A query for a counter's value (eight bytes). */
  public static byte[] counter(String counter) {
    return ("counter " + counter).getBytes(StandardCharsets.UTF_8);
  }

  /** A get query. */
  public static byte[] get(String key) {
    return ("get " + key).getBytes(StandardCharsets.UTF_8);
  }

  /** How many times {@link #open} ran on this instance. */
  public int opens() {
    return opens.get();
  }

  @Override
  public void open(StateReader state) {
    opens.incrementAndGet();
  }

  @Override
  public void validate(byte[] command) {
    String s = new String(command, StandardCharsets.UTF_8);
    String[] parts = s.split(" ", 3);
    boolean ok =
        (parts.length == 3 && parts[0].equals("put") && !parts[1].isEmpty())
            || (parts.length == 2 && parts[0].equals("incr") && !parts[1].isEmpty())
            || s.equals("fail");
    if (!ok) {
      throw new IllegalArgumentException("expected 'put <key> <value>', got " + describe(command));
    }
  }

  @Override
  public byte[] apply(Command command, StateWriter state) {
    String s = new String(command.bytes(), StandardCharsets.UTF_8);
    if (s.equals("fail")) {
      if (fixed) {
        return new byte[0];
      }
      throw new IllegalStateException("deliberate failure at index " + command.index());
    }
    String[] parts = s.split(" ", 3);
    if (parts[0].equals("incr")) {
      byte[] counter = Keys.utf8("\0counter " + parts[1]);
      long next = Keys.toLong(state.get(counter)) + 1;
      state.put(counter, Keys.longBytes(next));
      return Keys.longBytes(next);
    }
    byte[] key = Keys.utf8(parts[1]);
    byte[] previous = state.get(key);
    if (previous == null) {
      state.put(COUNT, Keys.longBytes(Keys.toLong(state.get(COUNT)) + 1));
    }
    state.put(key, Keys.utf8(parts[2]));
    return previous == null ? new byte[0] : previous;
  }

  @Override
  public byte[] query(byte[] query, StateReader state) {
    String s = new String(query, StandardCharsets.UTF_8);
    if (s.startsWith("get ")) {
      byte[] v = state.get(Keys.utf8(s.substring(4)));
      return v == null ? new byte[0] : v;
    }
    if (s.startsWith("counter ")) {
      return Keys.longBytes(Keys.toLong(state.get(Keys.utf8("\0counter " + s.substring(8)))));
    }
    if (s.equals("count")) {
      return Keys.longBytes(Keys.toLong(state.get(COUNT)));
    }
    throw new IllegalArgumentException("expected 'get <key>' or 'count', got " + describe(query));
  }

  private static String describe(byte[] b) {
    return b.length <= 40 ? "'" + new String(b, StandardCharsets.UTF_8) + "'" : b.length + " bytes";
  }
}
