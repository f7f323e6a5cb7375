package io.baton;

/**
 * The client or node was closed before the operation completed. An operation in flight at that
 * moment <b>may or may not have been applied</b>; one submitted after it was not.
 *
 * @since 0.1
 */
public class NodeClosedException extends BatonException {
  private static final long serialVersionUID = 1L;

  public NodeClosedException(String message) {
    super(message);
  }

  public NodeClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
