package io.baton.torture.check;

import java.util.Objects;
import java.util.Set;

/**
 * One completed operation of a torture history: its invocation and its completion.
 *
 * <p>Times are {@link System#nanoTime()} offsets from the start of the run, taken in one JVM, so
 * they order every event of the run. An {@link Outcome#UNKNOWN} operation's completion time is when
 * the client gave up; the checkers treat it as never having returned.
 *
 * @param id unique in the history
 * @param process the logical client that issued it; a process issues one operation at a time
 * @param key the register, set or counter it addresses
 * @param type what it does
 * @param value the value written, the element added, or the new value of a compare-and-set; for a
 *     read, how it read (the checkers ignore it)
 * @param expected the expected value of a compare-and-set (null: absent)
 * @param outcome how it completed
 * @param result the answer, as described for each {@link OpType}; null when absent or not known
 * @param elements the elements a {@link OpType#READ_SET} returned; empty otherwise
 * @param invokeNanos when it was invoked
 * @param completeNanos when it completed (or the client gave up)
 * @param error the failure's message for {@link Outcome#FAIL} and {@link Outcome#UNKNOWN}
 */
public record Op(
    long id,
    int process,
    String key,
    OpType type,
    String value,
    String expected,
    Outcome outcome,
    String result,
    Set<String> elements,
    long invokeNanos,
    long completeNanos,
    String error) {

  public Op {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(outcome, "outcome");
    elements = elements == null ? Set.of() : Set.copyOf(elements);
    if (completeNanos < invokeNanos) {
      throw new IllegalArgumentException(
          "op "
              + id
              + " completes ("
              + completeNanos
              + ") before it is invoked ("
              + invokeNanos
              + ")");
    }
  }

  /** A successful read of a register returning {@code value} (null: absent). */
  public static Op read(
      long id, int process, String key, String value, long invoke, long complete) {
    return new Op(
        id, process, key, OpType.READ, null, null, Outcome.OK, value, null, invoke, complete, null);
  }

  /** A write that completed with {@code outcome}; {@code previous} matters only when OK. */
  public static Op write(
      long id,
      int process,
      String key,
      String value,
      Outcome outcome,
      String previous,
      long invoke,
      long complete) {
    return new Op(
        id,
        process,
        key,
        OpType.WRITE,
        value,
        null,
        outcome,
        previous,
        null,
        invoke,
        complete,
        null);
  }

  /** A compare-and-set; {@code set} matters only when OK. */
  public static Op cas(
      long id,
      int process,
      String key,
      String expected,
      String value,
      Outcome outcome,
      boolean set,
      long invoke,
      long complete) {
    return new Op(
        id,
        process,
        key,
        OpType.CAS,
        value,
        expected,
        outcome,
        outcome == Outcome.OK ? Boolean.toString(set) : null,
        null,
        invoke,
        complete,
        null);
  }

  /** A delete; {@code existed} matters only when OK. */
  public static Op delete(
      long id,
      int process,
      String key,
      Outcome outcome,
      boolean existed,
      long invoke,
      long complete) {
    return new Op(
        id,
        process,
        key,
        OpType.DELETE,
        null,
        null,
        outcome,
        outcome == Outcome.OK ? Boolean.toString(existed) : null,
        null,
        invoke,
        complete,
        null);
  }

  /** This operation with another outcome and result (used to relax operations when shrinking). */
  public Op withOutcome(Outcome newOutcome, String newResult) {
    return new Op(
        id,
        process,
        key,
        type,
        value,
        expected,
        newOutcome,
        newResult,
        elements,
        invokeNanos,
        completeNanos,
        error);
  }

  /** Whether an OK compare-and-set, increment or delete answered true. */
  public boolean flag() {
    return "true".equals(result);
  }

  /** A one-line description, with times in milliseconds since the start of the run. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append(String.format("#%-6d p%-4d %-8s", id, process, key));
    switch (type) {
      case READ -> b.append("read").append(value == null ? "" : " (" + value + ")");
      case WRITE -> b.append("write ").append(value);
      case CAS -> b.append("cas ").append(show(expected)).append(" -> ").append(value);
      case DELETE -> b.append("delete");
      case ADD -> b.append("add ").append(value);
      case READ_SET -> b.append("read-set");
      case INCREMENT -> b.append("incr ").append(show(expected)).append(" -> ").append(value);
      case READ_COUNTER -> b.append("read-counter");
    }
    b.append("  ").append(outcome.name().toLowerCase(java.util.Locale.ROOT));
    if (outcome == Outcome.OK) {
      switch (type) {
        case READ, READ_COUNTER -> b.append(" = ").append(show(result));
        case WRITE, ADD -> b.append(" (replaced ").append(show(result)).append(')');
        case READ_SET -> b.append(" = ").append(elements.size()).append(" elements");
        default -> b.append(" = ").append(result);
      }
    }
    b.append(String.format("  [%.3f, %s] ms", invokeNanos / 1e6, completion()));
    if (error != null && outcome != Outcome.OK) {
      b.append("  (").append(error).append(')');
    }
    return b.toString();
  }

  private String completion() {
    return outcome == Outcome.UNKNOWN
        ? String.format("gave up at %.3f", completeNanos / 1e6)
        : String.format("%.3f", completeNanos / 1e6);
  }

  private static String show(String v) {
    return v == null ? "(absent)" : v;
  }
}
