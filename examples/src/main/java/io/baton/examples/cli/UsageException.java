package io.baton.examples.cli;

/** A command line the launcher cannot run: exit status 2, with a message naming what was wrong. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
