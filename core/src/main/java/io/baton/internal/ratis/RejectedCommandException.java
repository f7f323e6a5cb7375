package io.baton.internal.ratis;

/**
 * Carries a command rejection from the leader to the client through Ratis. Ratis transports a state
 * machine failure as its class name and message and re-creates it on the client by reflection, so
 * this type must stay public with a public {@code (String)} constructor. Not API.
 */
public final class RejectedCommandException extends Exception {
  private static final long serialVersionUID = 1L;

  public RejectedCommandException(String message) {
    super(message);
  }
}
