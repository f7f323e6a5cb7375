package io.baton.internal;

/** Argument and state checks with formatted messages; not API. */
public final class Preconditions {
  private Preconditions() {}

  /** Throws {@link IllegalArgumentException} with the formatted message unless {@code ok}. */
  public static void checkArgument(boolean ok, String format, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }

  /** Throws {@link IllegalStateException} with the formatted message unless {@code ok}. */
  public static void checkState(boolean ok, String format, Object... args) {
    if (!ok) {
      throw new IllegalStateException(String.format(format, args));
    }
  }
}
