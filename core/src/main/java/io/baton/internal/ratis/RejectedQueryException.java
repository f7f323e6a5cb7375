package io.baton.internal.ratis;

/**
 * Carries a query rejection (the state machine found it malformed) from a server to the client
 * through Ratis; see {@link RejectedCommandException}. Not API.
 */
public final class RejectedQueryException extends Exception {
  private static final long serialVersionUID = 1L;

  public RejectedQueryException(String message) {
    super(message);
  }
}
