package io.baton.benchmarks.support;

import io.baton.statemachine.Command;
import io.baton.statemachine.StateMachine;
import io.baton.statemachine.StateReader;
import io.baton.statemachine.StateWriter;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state machine of the cluster benchmarks: a key-value store with a bulk-fill command, which
 * also records what the benchmarks measure from inside the replica (how many commands it applied,
 * and the longest pause between two applies while a probe is armed).
 *
 * <p>Commands (first byte):
 *
 * <ul>
 *   <li>{@code PUT}: {@code [1][key: 8 bytes][value...]} puts the value under the key; replies
 *       empty.
 *   <li>{@code FILL}: {@code [2][first key: 8][count: 4][value bytes: 4][seed: 8]} puts {@code
 *       count} values of pseudo-random bytes under consecutive keys. The bytes come from a {@link
 *       SplittableRandom} seeded from the command, so every replica writes the same state (apply
 *       stays deterministic) while the client sends 25 bytes instead of megabytes. It is how the
 *       snapshot, recovery and catch-up benchmarks build gigabytes of incompressible state in
 *       seconds: what those benchmarks measure depends on the state on disk, not on how it got
 *       there.
 * </ul>
 *
 * <p>Queries: {@code [1][key: 8]} returns the value put under the key or an empty array; {@code
 * [4][key: 8]} the same for a filled key; {@code [3]} returns the number of commands this instance
 * applied (eight bytes).
 */
public final class BenchStateMachine implements StateMachine {
  public static final byte PUT = 1;
  public static final byte FILL = 2;
  public static final byte GET = 1;
  public static final byte APPLIED = 3;
  public static final byte GET_FILLED = 4;

  /** Keys of filled values start with this byte, keys of puts with {@link #PUT}. */
  private static final byte FILL_PREFIX = 'F';

  private static final byte[] EMPTY = new byte[0];

  private final AtomicLong applied = new AtomicLong();
  private volatile boolean probing;
  private long lastApplyNanos; // apply thread only
  private volatile long maxApplyGapNanos;

  /** A put of {@code value} under {@code key}. */
  public static byte[] put(long key, byte[] value) {
    ByteBuffer b = ByteBuffer.allocate(1 + 8 + value.length);
    b.put(PUT).putLong(key).put(value);
    return b.array();
  }

  /** A put of a command of exactly {@code commandBytes} bytes (at least 9). */
  public static byte[] putOfSize(long key, int commandBytes) {
    if (commandBytes < 9) {
      throw new IllegalArgumentException("commandBytes (" + commandBytes + ") must be >= 9");
    }
    byte[] c = new byte[commandBytes];
    ByteBuffer.wrap(c).put(PUT).putLong(key);
    for (int i = 9; i < c.length; i++) {
      c[i] = (byte) (key + i);
    }
    return c;
  }

  /** A fill command: {@code count} pseudo-random values of {@code valueBytes} from {@code key}. */
  public static byte[] fill(long firstKey, int count, int valueBytes, long seed) {
    ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + 4 + 8);
    b.put(FILL).putLong(firstKey).putInt(count).putInt(valueBytes).putLong(seed);
    return b.array();
  }

  /** A query for the value under {@code key}. */
  public static byte[] get(long key) {
    ByteBuffer b = ByteBuffer.allocate(9);
    b.put(GET).putLong(key);
    return b.array();
  }

  /** A query for the value filled under {@code key}. */
  public static byte[] getFilled(long key) {
    ByteBuffer b = ByteBuffer.allocate(9);
    b.put(GET_FILLED).putLong(key);
    return b.array();
  }

  /** A query for the number of commands the answering replica applied since it started. */
  public static byte[] appliedQuery() {
    return new byte[] {APPLIED};
  }

  @Override
  public void validate(byte[] command) {
    if (command.length < 9 || (command[0] != PUT && command[0] != FILL)) {
      throw new IllegalArgumentException("not a benchmark command: " + command.length + " bytes");
    }
    if (command[0] == FILL && command.length != 25) {
      throw new IllegalArgumentException("a fill command has 25 bytes, not " + command.length);
    }
  }

  @Override
  public byte[] apply(Command command, StateWriter state) {
    long now = System.nanoTime();
    if (probing) {
      long gap = now - lastApplyNanos;
      if (gap > maxApplyGapNanos) {
        maxApplyGapNanos = gap;
      }
    }
    lastApplyNanos = now;
    applied.incrementAndGet();
    byte[] c = command.bytes();
    ByteBuffer b = ByteBuffer.wrap(c);
    byte type = b.get();
    long key = b.getLong();
    if (type == PUT) {
      state.put(key(PUT, key), Arrays.copyOfRange(c, 9, c.length));
      return EMPTY;
    }
    int count = b.getInt();
    int valueBytes = b.getInt();
    SplittableRandom random = new SplittableRandom(b.getLong());
    byte[] value = new byte[valueBytes];
    for (int i = 0; i < count; i++) {
      random.nextBytes(value);
      state.put(key(FILL_PREFIX, key + i), value);
    }
    return EMPTY;
  }

  @Override
  public byte[] query(byte[] query, StateReader state) {
    if (query.length == 1 && query[0] == APPLIED) {
      return ByteBuffer.allocate(8).putLong(applied.get()).array();
    }
    if (query.length == 9 && (query[0] == GET || query[0] == GET_FILLED)) {
      byte prefix = query[0] == GET ? PUT : FILL_PREFIX;
      byte[] v = state.get(key(prefix, ByteBuffer.wrap(query, 1, 8).getLong()));
      return v == null ? EMPTY : v;
    }
    throw new IllegalArgumentException("not a benchmark query: " + query.length + " bytes");
  }

  private static byte[] key(byte prefix, long k) {
    return ByteBuffer.allocate(9).put(prefix).putLong(k).array();
  }

  /** How many commands this instance applied since the node started. */
  public long appliedCommands() {
    return applied.get();
  }

  /**
   * Starts recording the longest pause between two consecutive applies on this replica. Under a
   * steady write load that pause is how long the apply thread stalled (for example while a snapshot
   * was taken on it).
   */
  public void startApplyGapProbe() {
    maxApplyGapNanos = 0;
    probing = true;
  }

  /** Stops the probe and returns the longest gap between two applies seen since it started. */
  public long stopApplyGapProbe() {
    probing = false;
    return maxApplyGapNanos;
  }
}
