package io.baton;

/**
 * The cluster refused a command before it entered the log: it was too large, or the state machine's
 * {@code validate} rejected it. The command was <b>not applied</b> and the state is unchanged;
 * sending it again will fail the same way.
 *
 * @since 0.1
 */
public class CommandRejectedException extends BatonException {
  private static final long serialVersionUID = 1L;

  public CommandRejectedException(String message) {
    super(message);
  }
}
