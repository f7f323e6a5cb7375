package io.baton.torture;

/** Bad command-line usage: the message names the option and what is wrong with it. */
final class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
