package io.baton.testing;

import static io.baton.internal.Preconditions.checkArgument;

import io.baton.NodeConfig;
import io.baton.statemachine.StateMachine;
import io.baton.storage.RocksDbStateStore;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/*
 * How the check tries to make a non-deterministic state machine show itself.
 *
 * Replicas run one after another, not in lockstep: replica 1's instance is created only after
 * replica 0 has applied every command and closed. So a clock has moved on, a static counter or
 * cache holds what replica 0 left in it, and identity hash codes (Object.hashCode, enum and lambda
 * keys in a HashMap) differ. Replica 0 plays the leader: it validates every command, and the
 * accepted ones, numbered 1, 2, 3..., are the log that every replica applies, as in a cluster where
 * followers never validate. Each later replica is also restarted once part-way (a new instance, the
 * store reopened, open() called), which exposes in-memory state that open() does not rebuild from
 * the store: after a restart or a snapshot install such a replica diverges from the others.
 *
 * Comparing replies and digests after every command locates the first divergence exactly, without
 * re-running anything: a re-run of a non-deterministic machine need not diverge at the same place,
 * so bisecting would be unreliable. The price is a full-state hash per command; digestEvery trades
 * that for a coarser location.
 */
/**
 * Checks that a {@link StateMachine} is deterministic by applying the same commands to several
 * fresh replicas and comparing, after each command, their replies and state digests. Use it in unit
 * tests to catch a state machine that reads a clock or a random number generator, depends on
 * identity hash codes or hash iteration order, keeps static state, or keeps in-memory state that
 * {@link StateMachine#open} does not rebuild, before it diverges in production. No cluster is
 * started.
 *
 * <pre>{@code
 * List<byte[]> commands = ...; // a few hundred typical commands
 * DeterminismCheck.of(MyStateMachine::new).run(commands).assertDeterministic();
 * }</pre>
 *
 * <p>Each replica is a real {@link RocksDbStateStore} in a new temporary directory, deleted after
 * the run, and commands go through the code a Baton replica runs: the first replica plays the
 * leader and calls {@link StateMachine#validate} on each command; the accepted ones get log indexes
 * 1, 2, 3… and every replica applies them in that order, each in one atomic batch with its index.
 * Commands that {@code validate} rejects are skipped on every replica, as a leader never logs them,
 * and are listed in the {@link DeterminismReport}. Replicas run one after another, each on a new
 * instance from the supplier created after the previous replica finished, and each replica but the
 * first is restarted once part-way through (see {@link Builder#restartMidway}).
 *
 * <p>A passing check is evidence, not proof: it covers the commands given and the differences in
 * environment that one JVM offers. The check does not apply {@link NodeConfig#maxCommandBytes()},
 * and does not exercise {@link StateMachine#query}.
 *
 * <p>Instances are immutable and thread-safe. Concurrent runs are independent unless the state
 * machine shares static state between instances, in which case they may report divergence.
 *
 * @since 0.1
 */
public final class DeterminismCheck {
  private static final int MAX_REPLICAS = 16;

  private final Supplier<? extends StateMachine> stateMachines;
  private final int replicas;
  private final int digestEvery;
  private final boolean restartMidway;
  private final Path directory;

  private DeterminismCheck(Builder b) {
    this.stateMachines = b.stateMachines;
    this.replicas = b.replicas;
    this.digestEvery = b.digestEvery;
    this.restartMidway = b.restartMidway;
    this.directory = b.directory;
  }

  /**
   * A check with the defaults: two replicas, digests compared after every command, the second
   * replica restarted midway, stores under {@code java.io.tmpdir}.
   *
   * @param stateMachines creates a new state machine on each call (one per replica and per
   *     restart); called only from the thread running {@link #run}
   * @throws NullPointerException if {@code stateMachines} is null
   */
  public static DeterminismCheck of(Supplier<? extends StateMachine> stateMachines) {
    return newBuilder(stateMachines).build();
  }

  /**
   * A builder for a check of the state machines {@code stateMachines} creates, with every option at
   * its default.
   *
   * @param stateMachines creates a new state machine on each call (one per replica and per
   *     restart); called only from the thread running {@link #run}
   * @throws NullPointerException if {@code stateMachines} is null
   */
  public static Builder newBuilder(Supplier<? extends StateMachine> stateMachines) {
    return new Builder(stateMachines);
  }

  /**
   * Applies {@code commands} to fresh replicas and compares them; see the class description. Blocks
   * until done; the temporary directory is deleted before it returns or throws.
   *
   * <p>Cost: one RocksDB store per replica (and one reopen per restart), every accepted command
   * applied once per replica, and with {@code digestEvery(1)} a hash of the whole state after every
   * command, so time grows with the number of commands times the state's size. A few hundred
   * commands over a small state take a fraction of a second to a second.
   *
   * @param commands the commands in log order, as clients would submit them; not modified or
   *     retained (each replica receives its own copy of each command)
   * @return the outcome; check it with {@link DeterminismReport#assertDeterministic()}
   * @throws NullPointerException if {@code commands} or one of its elements is null, or the
   *     supplier returned null
   * @throws IllegalArgumentException if {@code commands} is empty, or the supplier returned an
   *     instance it had returned before
   * @throws io.baton.storage.StorageException if a store cannot be created or opened
   * @throws UncheckedIOException if the temporary directory cannot be created or deleted
   * @throws RuntimeException as thrown by the supplier or by the state machine's {@code keyspaces}
   *     or {@code open}
   */
  public DeterminismReport run(List<byte[]> commands) {
    Objects.requireNonNull(commands, "commands");
    checkArgument(!commands.isEmpty(), "commands is empty; give at least one command to apply");
    List<byte[]> copy = new ArrayList<>(commands.size());
    for (int i = 0; i < commands.size(); i++) {
      byte[] command = commands.get(i);
      if (command == null) {
        throw new NullPointerException("commands[" + i + "] is null");
      }
      copy.add(command.clone());
    }
    Path root =
        directory == null
            ? TempDirs.create("baton-determinism-")
            : TempDirs.create(directory, "baton-determinism-");
    DeterminismReport result;
    try {
      result = new DeterminismRun(this, copy, root).execute();
    } catch (RuntimeException | Error e) {
      try {
        TempDirs.deleteRecursively(root);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    TempDirs.deleteRecursively(root);
    return result;
  }

  /** Makes the state machines of the replicas. */
  Supplier<? extends StateMachine> stateMachines() {
    return stateMachines;
  }

  /** How many replicas apply the commands. */
  int replicas() {
    return replicas;
  }

  /** After how many commands state digests are compared. */
  int digestEvery() {
    return digestEvery;
  }

  @Override
  public String toString() {
    return "DeterminismCheck{replicas="
        + replicas
        + ", digestEvery="
        + digestEvery
        + ", restartMidway="
        + restartMidway
        + ", directory="
        + (directory == null ? "java.io.tmpdir" : directory)
        + "}";
  }

  /**
   * The step (0-based position in the log) before which {@code replica} restarts, or -1 if it does
   * not: replicas 1, 2, … restart at evenly spread points, so each covers a different split.
   */
  int restartStep(int replica, int logSize) {
    if (!restartMidway || replica == 0) {
      return -1;
    }
    int at = (int) ((long) replica * logSize / replicas);
    return at > 0 ? at : -1;
  }

  /**
   * Builds a {@link DeterminismCheck}. Each setter checks its own argument at once. Not
   * thread-safe.
   */
  public static final class Builder {
    private final Supplier<? extends StateMachine> stateMachines;
    private int replicas = 2;
    private int digestEvery = 1;
    private boolean restartMidway = true;
    private Path directory;

    private Builder(Supplier<? extends StateMachine> stateMachines) {
      this.stateMachines = Objects.requireNonNull(stateMachines, "stateMachines");
    }

    /**
     * How many replicas apply the commands (default 2, range 2 to 16). Replica 0 is the reference
     * the others are compared with. More replicas cost one more run each and give more chances for
     * static state, clocks and hash codes to differ; each restarts at a different point.
     */
    public Builder replicas(int replicas) {
      checkArgument(
          replicas >= 2 && replicas <= MAX_REPLICAS,
          "replicas (%s) must be 2 to %s",
          replicas,
          MAX_REPLICAS);
      this.replicas = replicas;
      return this;
    }

    /**
     * Compare state digests after every {@code commands}-th applied command and after the last
     * (default 1: after each; must be at least 1). Replies are always compared after each command.
     * A digest hashes the whole state, so for long command lists over a large state raise this; a
     * state divergence is then located only to within that many commands.
     */
    public Builder digestEvery(int commands) {
      checkArgument(commands >= 1, "digestEvery (%s) must be >= 1", commands);
      this.digestEvery = commands;
      return this;
    }

    /**
     * Whether each replica but the first is restarted once part-way through (default true): its
     * store is closed, a new instance comes from the supplier, the store is reopened and {@link
     * StateMachine#open} is called, as after a process restart or a snapshot install. This catches
     * in-memory state that {@code open} does not rebuild from the store. Turn it off only to narrow
     * down a failure.
     */
    public Builder restartMidway(boolean restartMidway) {
      this.restartMidway = restartMidway;
      return this;
    }

    /**
     * The directory under which each run creates, and afterwards deletes, its own temporary
     * directory for the replicas' stores (default {@code java.io.tmpdir}). Set it to a test's
     * temporary directory, or to a file system like production's.
     */
    public Builder directory(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** The check; the builder may be reused. */
    public DeterminismCheck build() {
      return new DeterminismCheck(this);
    }
  }
}
