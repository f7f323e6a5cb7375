package io.baton.torture.check;

import java.util.Objects;

/**
 * A register with read, write (which reports the value it replaced), compare-and-set and delete,
 * the semantics of one key of the kv example state machine. The absent register is the state with a
 * null value.
 */
public final class RegisterModel implements Model<RegisterModel.State> {
  /** The register's value; null when the key is absent. */
  public record State(String value) {}

  private static final State ABSENT = new State(null);

  private final boolean checkReplaced;

  /** The register of the kv example: a successful write's reported replaced value is checked. */
  public RegisterModel() {
    this(true);
  }

  /**
   * A register that checks a successful write's reported replaced value only if {@code
   * checkReplaced}. Ignoring it drops constraints, so a history that is not linearizable without
   * them is not linearizable with them either; the shrinker uses that to find smaller witnesses.
   */
  public RegisterModel(boolean checkReplaced) {
    this.checkReplaced = checkReplaced;
  }

  /** Whether a successful write's reported replaced value is checked. */
  public boolean checksReplaced() {
    return checkReplaced;
  }

  @Override
  public State init() {
    return ABSENT;
  }

  @Override
  public State step(State state, Op op) {
    String current = state.value();
    boolean known = op.outcome() == Outcome.OK;
    switch (op.type()) {
      case READ:
        return Objects.equals(current, op.result()) ? state : null;
      case WRITE:
        if (known && checkReplaced && !Objects.equals(current, op.result())) {
          return null;
        }
        return new State(op.value());
      case CAS:
        boolean matches = Objects.equals(current, op.expected());
        if (known && matches != op.flag()) {
          return null;
        }
        return matches ? new State(op.value()) : state;
      case DELETE:
        if (known && (current != null) != op.flag()) {
          return null;
        }
        return ABSENT;
      default:
        throw new IllegalArgumentException("not a register operation: " + op.describe());
    }
  }
}
