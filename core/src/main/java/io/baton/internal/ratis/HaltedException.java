package io.baton.internal.ratis;

/**
 * Reports to a client that the replica it asked has halted after an apply failure; see {@link
 * RejectedCommandException} for why it is public. Not API.
 */
public final class HaltedException extends Exception {
  private static final long serialVersionUID = 1L;

  public HaltedException(String message) {
    super(message);
  }
}
