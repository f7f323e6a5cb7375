package io.baton;

/**
 * No answer arrived within the client's request timeout, typically because no leader could be
 * reached or elected for that long. The command <b>may or may not have been applied</b>: retry only
 * if it is idempotent, or read the state to find out.
 *
 * @since 0.1
 */
public class CommandTimeoutException extends BatonException {
  private static final long serialVersionUID = 1L;

  public CommandTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
