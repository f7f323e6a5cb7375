package io.baton;

/**
 * An admin operation was refused before it changed anything: it would lose quorum, another
 * membership change is in progress, the target is not in a state to take part, and so on. The
 * message says why and what to do instead. The cluster is exactly as it was.
 *
 * @since 0.1
 */
public class OperationRefusedException extends BatonException {
  private static final long serialVersionUID = 1L;

  public OperationRefusedException(String message) {
    super(message);
  }
}
