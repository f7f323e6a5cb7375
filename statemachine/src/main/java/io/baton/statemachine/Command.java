package io.baton.statemachine;

import java.util.Objects;

/**
 * One committed command, as handed to {@link StateMachine#apply}: its position in the replicated
 * log and the bytes the client submitted.
 *
 * <p>Instances are created by Baton. The byte array is shared, not copied: read it, do not modify
 * it, and do not keep it after {@code apply} returns.
 *
 * @since 0.1
 */
public final class Command {
  private final long index;
  private final byte[] bytes;

  private Command(long index, byte[] bytes) {
    this.index = index;
    this.bytes = bytes;
  }

  /** Creates a command; {@code index} is its log index (≥ 0). */
  public static Command of(long index, byte[] bytes) {
    if (index < 0) {
      throw new IllegalArgumentException("index (" + index + ") must be >= 0");
    }
    return new Command(index, Objects.requireNonNull(bytes, "bytes"));
  }

  /**
   * The log index of this command: identical on every replica, strictly increasing, not contiguous
   * (Raft also logs configuration and leader entries). A deterministic, cluster-wide unique id.
   */
  public long index() {
    return index;
  }

  /** The bytes the client submitted. Do not modify. */
  public byte[] bytes() {
    return bytes;
  }

  @Override
  public String toString() {
    return "Command{index=" + index + ", " + bytes.length + " bytes}";
  }
}
