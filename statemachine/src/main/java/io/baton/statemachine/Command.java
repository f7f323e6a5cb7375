package io.baton.statemachine;

import java.util.Objects;

/**
 * One committed command, as handed to {@link StateMachine#apply}: its place in the replicated log
 * and the bytes the client submitted.
 *
 * <p>A client that has several commands waiting sends them together, in one log entry (a batch):
 * they then share {@link #index()} and are told apart by {@link #position()}. {@link #id()}
 * combines the two into one number that is unique across the cluster's history.
 *
 * <p>Instances are created by Baton. The byte array is shared, not copied: read it, do not modify
 * it, and do not keep it after {@code apply} returns.
 *
 * @since 0.1
 */
public final class Command {
  /** The most commands one log entry carries; {@link #position()} is below it. */
  public static final int MAX_PER_ENTRY = 1 << 16;

  private final long index;
  private final int position;
  private final byte[] bytes;

  private Command(long index, int position, byte[] bytes) {
    this.index = index;
    this.position = position;
    this.bytes = bytes;
  }

  /** Creates the only command of log entry {@code index} (≥ 0). */
  public static Command of(long index, byte[] bytes) {
    return of(index, 0, bytes);
  }

  /**
   * Creates the command at {@code position} (0 to {@link #MAX_PER_ENTRY} - 1) of log entry {@code
   * index} (0 to 2<sup>47</sup> - 1).
   */
  public static Command of(long index, int position, byte[] bytes) {
    if (index < 0 || index >= 1L << 47) {
      throw new IllegalArgumentException("index (" + index + ") must be in [0, 2^47)");
    }
    if (position < 0 || position >= MAX_PER_ENTRY) {
      throw new IllegalArgumentException(
          "position (" + position + ") must be in [0, " + MAX_PER_ENTRY + ")");
    }
    return new Command(index, position, Objects.requireNonNull(bytes, "bytes"));
  }

  /**
   * The log index of the entry that carried this command: identical on every replica, never
   * decreasing from one command to the next, not contiguous (Raft also logs configuration and
   * leader entries). Commands sent in one batch share it.
   */
  public long index() {
    return index;
  }

  /** This command's place within its log entry: 0 for the first (or only) command. */
  public int position() {
    return position;
  }

  /**
   * A deterministic id unique across the cluster's history and strictly increasing in apply order:
   * {@code index() * MAX_PER_ENTRY + position()}. Not contiguous. Use it where a state machine
   * needs a fresh identifier for something a command creates.
   */
  public long id() {
    return index * MAX_PER_ENTRY + position;
  }

  /** The bytes the client submitted. Do not modify. */
  public byte[] bytes() {
    return bytes;
  }

  @Override
  public String toString() {
    return "Command{index="
        + index
        + (position == 0 ? "" : ", position=" + position)
        + ", "
        + bytes.length
        + " bytes}";
  }
}
