package io.baton;

/**
 * A replica stopped applying commands because the state machine threw from {@code apply}, which
 * Baton treats as a bug: continuing could let that replica's state diverge. The replica serves
 * nothing until it is restarted with a fixed state machine; the rest of the cluster is unaffected
 * unless the failure is deterministic, in which case every replica halts at the same command.
 *
 * @since 0.1
 */
public class StateMachineHaltedException extends BatonException {
  private static final long serialVersionUID = 1L;

  public StateMachineHaltedException(String message, Throwable cause) {
    super(message, cause);
  }
}
