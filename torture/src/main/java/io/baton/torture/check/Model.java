package io.baton.torture.check;

/**
 * A sequential specification for the linearizability checker: an initial state and a step function.
 *
 * <p>States must be immutable values with {@code equals} and {@code hashCode}, never null: the
 * checker caches (linearized set, state) pairs. {@code step} must have no side effects.
 *
 * @param <S> the state type
 */
public interface Model<S> {
  /** The state before any operation. */
  S init();

  /**
   * The state after {@code op} takes effect in {@code state}, or null if {@code op} could not have
   * returned its recorded result from {@code state}. An {@link Outcome#UNKNOWN} operation has no
   * recorded result: it is always legal and only its effect counts.
   */
  S step(S state, Op op);
}
