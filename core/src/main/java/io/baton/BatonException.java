package io.baton;

/**
 * The root of Baton's operational failures: what went wrong while the cluster was doing its work,
 * as opposed to caller mistakes, which throw {@link IllegalArgumentException}, {@link
 * IllegalStateException} or {@link NullPointerException} at once.
 *
 * <p>Unless a subclass says otherwise, a command that failed with a {@code BatonException} <b>may
 * or may not have been applied</b>: retry it only if it is idempotent, or read the state to find
 * out.
 *
 * @since 0.1
 */
public class BatonException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BatonException(String message) {
    super(message);
  }

  public BatonException(String message, Throwable cause) {
    super(message, cause);
  }
}
