package io.baton;

import static io.baton.internal.Preconditions.checkArgument;

import io.baton.internal.ratis.CommandPath;
import io.baton.statemachine.StateMachine;
import io.baton.storage.RocksDbStateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

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
 * and are listed in the {@link Result}. Replicas run one after another, each on a new instance from
 * the supplier created after the previous replica finished, and each replica but the first is
 * restarted once part-way through (see {@link Builder#restartMidway}).
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
  // Every command is applied in one term: a leader change does not change the log a replica sees.
  private static final long TERM = 1;
  private static final int MAX_REPLICAS = 16;
  private static final String ADVICE =
      "apply must depend only on its command (bytes and index) and the state it reads: not on a"
          + " clock, randomness, identity hash codes or hash iteration order, static fields, or"
          + " in-memory fields that open() does not rebuild from the state.";

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
   * @return the outcome; check it with {@link Result#assertDeterministic()}
   * @throws NullPointerException if {@code commands} or one of its elements is null, or the
   *     supplier returned null
   * @throws IllegalArgumentException if {@code commands} is empty, or the supplier returned an
   *     instance it had returned before
   * @throws io.baton.storage.StorageException if a store cannot be created or opened
   * @throws UncheckedIOException if the temporary directory cannot be created or deleted
   * @throws RuntimeException as thrown by the supplier or by the state machine's {@code keyspaces}
   *     or {@code open}
   */
  public Result run(List<byte[]> commands) {
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
    Path root;
    try {
      root =
          directory == null
              ? Files.createTempDirectory("baton-determinism-")
              : Files.createTempDirectory(directory, "baton-determinism-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory: " + e, e);
    }
    Result result;
    try {
      result = new Run(copy, root).execute();
    } catch (RuntimeException | Error e) {
      try {
        deleteRecursively(root);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    deleteRecursively(root);
    return result;
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
  private int restartStep(int replica, int logSize) {
    if (!restartMidway || replica == 0) {
      return -1;
    }
    int at = (int) ((long) replica * logSize / replicas);
    return at > 0 ? at : -1;
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root + ": " + e, e);
    }
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

  /** One command's outcome on one replica. */
  private static final class Step {
    final byte[] reply; // null if apply threw
    final Throwable failure;
    final byte[] digest; // null if not compared at this command

    Step(byte[] reply, Throwable failure, byte[] digest) {
      this.reply = reply;
      this.failure = failure;
      this.digest = digest;
    }

    boolean sameReply(Step other) {
      if (failure != null || other.failure != null) {
        return failure != null
            && other.failure != null
            && failure.getClass().equals(other.failure.getClass());
      }
      return Arrays.equals(reply, other.reply);
    }

    boolean sameState(Step other) {
      return digest == null || other.digest == null || Arrays.equals(digest, other.digest);
    }
  }

  /** The first place where a replica differs from replica 0. */
  private static final class Divergence {
    final int replica;
    final int step;
    final Step expected;
    final Step actual;

    Divergence(int replica, int step, Step expected, Step actual) {
      this.replica = replica;
      this.step = step;
      this.expected = expected;
      this.actual = actual;
    }
  }

  /** One call of {@link #run}. */
  private final class Run {
    private final List<byte[]> commands;
    private final Path root;
    private final Set<StateMachine> instances = Collections.newSetFromMap(new IdentityHashMap<>());
    private final SortedMap<Integer, String> rejected = new TreeMap<>();
    // Positions in commands of the accepted commands: log index i is log.get(i - 1).
    private final List<Integer> log = new ArrayList<>();

    Run(List<byte[]> commands, Path root) {
      this.commands = commands;
      this.root = root;
    }

    Result execute() {
      List<Step> reference = runLeader();
      Divergence first = null;
      int limit = reference.size();
      for (int r = 1; r < replicas; r++) {
        Divergence d = runFollower(r, reference, limit);
        if (d != null) {
          first = d;
          // Later replicas only need to look for an earlier divergence.
          limit = d.step;
        }
      }
      Step last = reference.isEmpty() ? null : reference.get(reference.size() - 1);
      return new Result(
          DeterminismCheck.this,
          commands,
          rejected,
          log,
          reference.size(),
          first,
          first == null && last != null && last.failure != null ? last : null);
    }

    private List<Step> runLeader() {
      StateMachine app = newInstance(0);
      RocksDbStateStore store = open(app, root.resolve("replica-0"));
      try {
        for (int p = 0; p < commands.size(); p++) {
          String rejection = CommandPath.rejection(app, commands.get(p).clone());
          if (rejection == null) {
            log.add(p);
          } else {
            rejected.put(p, rejection);
          }
        }
        List<Step> steps = new ArrayList<>(log.size());
        for (int s = 0; s < log.size(); s++) {
          Step step = apply(app, store, s);
          steps.add(step);
          if (step.failure != null) {
            break; // the replica halts
          }
        }
        return steps;
      } finally {
        store.close();
      }
    }

    private Divergence runFollower(int replica, List<Step> reference, int limit) {
      int restartAt = restartStep(replica, log.size());
      Path dir = root.resolve("replica-" + replica);
      StateMachine app = newInstance(replica);
      RocksDbStateStore store = open(app, dir);
      try {
        for (int s = 0; s < limit; s++) {
          if (s == restartAt) {
            RocksDbStateStore closing = store;
            store = null;
            closing.close();
            app = newInstance(replica);
            store = open(app, dir);
          }
          Step step = apply(app, store, s);
          Step expected = reference.get(s);
          if (!step.sameReply(expected) || !step.sameState(expected)) {
            return new Divergence(replica, s, expected, step);
          }
          if (step.failure != null) {
            return null; // halted alike
          }
        }
        return null;
      } finally {
        if (store != null) {
          store.close();
        }
      }
    }

    private Step apply(StateMachine app, RocksDbStateStore store, int step) {
      byte[] command = commands.get(log.get(step)).clone();
      byte[] reply;
      try {
        reply = CommandPath.apply(app, store, TERM, step + 1L, command);
      } catch (RuntimeException | Error e) {
        return new Step(null, e, null);
      }
      boolean compare = (step + 1) % digestEvery == 0 || step == log.size() - 1;
      return new Step(reply, null, compare ? store.digest() : null);
    }

    private StateMachine newInstance(int replica) {
      StateMachine app = stateMachines.get();
      if (app == null) {
        throw new NullPointerException(
            "the stateMachines supplier returned null for replica " + replica);
      }
      checkArgument(
          instances.add(app),
          "the stateMachines supplier returned the same instance (%s) twice; it must return a new"
              + " StateMachine on each call, one per replica and per restart",
          app);
      return app;
    }

    private RocksDbStateStore open(StateMachine app, Path dir) {
      RocksDbStateStore store = RocksDbStateStore.open(dir, app.keyspaces());
      try {
        app.open(store.reader());
      } catch (RuntimeException | Error e) {
        store.close();
        throw e;
      }
      return store;
    }
  }

  /**
   * The outcome of one {@link DeterminismCheck#run}: whether the replicas agreed, and if not, where
   * they first diverged. {@link #toString()} describes it in full, with the diverging replies and
   * state digests (hexadecimal, truncated). Immutable and thread-safe.
   *
   * @since 0.1
   */
  public static final class Result {
    private static final int MAX_SHOWN_BYTES = 32;
    private static final int MAX_SHOWN_REJECTIONS = 5;

    private final int replicas;
    private final int digestEvery;
    private final int commands;
    private final SortedMap<Integer, String> rejected;
    private final List<Integer> log;
    private final String description;
    private final int divergedAt;
    private final Throwable applyFailure;
    private final int applied;

    private Result(
        DeterminismCheck check,
        List<byte[]> commands,
        SortedMap<Integer, String> rejected,
        List<Integer> log,
        int referenceSteps,
        Divergence divergence,
        Step failed) {
      this.replicas = check.replicas;
      this.digestEvery = check.digestEvery;
      this.commands = commands.size();
      this.rejected = Collections.unmodifiableSortedMap(new TreeMap<>(rejected));
      this.log = List.copyOf(log);
      StringBuilder s = new StringBuilder();
      if (divergence != null) {
        divergedAt = log.get(divergence.step);
        applyFailure =
            divergence.expected.failure != null
                ? divergence.expected.failure
                : divergence.actual.failure;
        applied = divergence.step;
        describeDivergence(s, check, commands, divergence);
      } else if (failed != null) {
        divergedAt = -1;
        applyFailure = failed.failure;
        applied = referenceSteps - 1;
        describeFailure(s, commands);
      } else {
        divergedAt = -1;
        applyFailure = null;
        applied = log.size();
        describePass(s, check);
      }
      describeRejections(s);
      this.description = s.toString();
    }

    /**
     * Whether every replica applied every accepted command with equal replies and equal state
     * digests. False if the replicas diverged, and also if {@code apply} threw, even alike on every
     * replica: in a cluster that halts the replicas, and the commands after it were not checked.
     */
    public boolean passed() {
      return divergedAt < 0 && applyFailure == null;
    }

    /**
     * The position in the command list of the first command after which a replica's reply or state
     * differed from replica 0's, or empty if none did. With {@link Builder#digestEvery} above 1, a
     * difference in state may have arisen up to that many commands earlier.
     */
    public OptionalInt divergedAt() {
      return divergedAt < 0 ? OptionalInt.empty() : OptionalInt.of(divergedAt);
    }

    /**
     * What {@code apply} threw, if it threw on some replica at or before the point where the check
     * stopped: at the divergence, or on every replica alike. A null reply counts as a {@link
     * NullPointerException}, as on a Baton replica.
     */
    public Optional<Throwable> applyFailure() {
      return Optional.ofNullable(applyFailure);
    }

    /**
     * The commands {@link StateMachine#validate} rejected and that no replica applied, by position
     * in the command list, each with the message the client would have received. Sorted by
     * position; unmodifiable.
     */
    public SortedMap<Integer, String> rejected() {
      return rejected;
    }

    /**
     * How many commands every replica applied with equal replies and state before the check found a
     * divergence or a failure; all accepted commands if it {@link #passed()}.
     */
    public int applied() {
      return applied;
    }

    /**
     * Throws unless the check {@link #passed()}.
     *
     * @throws AssertionError with {@link #toString()} as its message, and the exception {@code
     *     apply} threw, if any, as its cause
     */
    public void assertDeterministic() {
      if (!passed()) {
        throw new AssertionError(description, applyFailure);
      }
    }

    /**
     * A description of the outcome: on a divergence, the command, both replicas' replies and state
     * digests, and how the diverging replica's environment differed.
     */
    @Override
    public String toString() {
      return description;
    }

    private void describePass(StringBuilder s, DeterminismCheck check) {
      if (log.isEmpty()) {
        s.append("DeterminismCheck passed vacuously: validate rejected all ")
            .append(commands)
            .append(" commands, so none was applied.");
        return;
      }
      s.append("DeterminismCheck passed: ")
          .append(replicas)
          .append(" replicas applied ")
          .append(log.size())
          .append(log.size() == 1 ? " command" : " commands")
          .append(" with equal replies and equal state digests after ")
          .append(digestEvery == 1 ? "each" : "every " + digestEvery + "th and the last")
          .append('.');
      for (int r = 1; r < replicas; r++) {
        int at = check.restartStep(r, log.size());
        if (at >= 0) {
          s.append(" Replica ")
              .append(r)
              .append(" was restarted before command ")
              .append(log.get(at))
              .append('.');
        }
      }
    }

    private void describeFailure(StringBuilder s, List<byte[]> commands) {
      int position = log.get(applied);
      s.append("DeterminismCheck failed: StateMachine.apply threw at command ")
          .append(position)
          .append(" (log index ")
          .append(applied + 1)
          .append(") on every replica: ")
          .append(applyFailure)
          .append("\n  command ")
          .append(position)
          .append(": ")
          .append(describe(commands.get(position)))
          .append("\n  In a cluster this halts every replica; the accepted commands after it (")
          .append(log.size() - applied - 1)
          .append(") were not checked. Business failures belong in the reply, malformed commands")
          .append(" in validate.");
    }

    private void describeDivergence(
        StringBuilder s, DeterminismCheck check, List<byte[]> commands, Divergence d) {
      boolean replyDiffers = !d.actual.sameReply(d.expected);
      boolean stateDiffers = !d.actual.sameState(d.expected);
      s.append("DeterminismCheck failed: replicas 0 and ")
          .append(d.replica)
          .append(" diverged at command ")
          .append(divergedAt)
          .append(" (log index ")
          .append(d.step + 1)
          .append("): ")
          .append(headline(d, replyDiffers, stateDiffers));
      if (stateDiffers && digestEvery > 1) {
        int from = log.get(d.step / digestEvery * digestEvery);
        if (from != divergedAt) {
          s.append(" (digests are compared every ")
              .append(digestEvery)
              .append(" commands: the state diverged at one of commands ")
              .append(from)
              .append(" to ")
              .append(divergedAt)
              .append(')');
        }
      }
      s.append(".\n  command ")
          .append(divergedAt)
          .append(": ")
          .append(describe(commands.get(divergedAt)));
      s.append("\n  reply, replica 0: ").append(describeReply(d.expected));
      s.append("\n  reply, replica ").append(d.replica).append(": ");
      s.append(describeReply(d.actual));
      if (d.expected.digest != null && d.actual.digest != null && !stateDiffers) {
        s.append("\n  state, both: sha-256 ").append(describeDigest(d.expected.digest));
        s.append(" (equal)");
      } else if (d.expected.digest != null && d.actual.digest != null) {
        s.append("\n  state, replica 0: sha-256 ").append(describeDigest(d.expected.digest));
        s.append("\n  state, replica ").append(d.replica).append(": sha-256 ");
        s.append(describeDigest(d.actual.digest));
      }
      s.append("\n  Replica ")
          .append(d.replica)
          .append(" ran after replica ")
          .append(d.replica - 1)
          .append(" had finished, on a new instance");
      int restart = check.restartStep(d.replica, log.size());
      if (restart >= 0 && restart <= d.step) {
        s.append(", and was restarted (new instance, store reopened, open called) before command ")
            .append(log.get(restart));
      }
      s.append(". The ")
          .append(d.step)
          .append(d.step == 1 ? " command" : " commands")
          .append(" before it gave equal replies")
          .append(digestEvery == 1 ? " and state." : ".")
          .append("\n  ")
          .append(ADVICE);
    }

    private static String headline(Divergence d, boolean replyDiffers, boolean stateDiffers) {
      if (d.expected.failure != null && d.actual.failure != null) {
        return "apply threw different exceptions";
      } else if (d.expected.failure != null || d.actual.failure != null) {
        return "apply threw on replica " + (d.actual.failure != null ? d.replica : 0) + " only";
      } else if (replyDiffers && stateDiffers) {
        return "the reply and the state differ";
      }
      return replyDiffers ? "the reply differs" : "the state differs";
    }

    private void describeRejections(StringBuilder s) {
      if (rejected.isEmpty()) {
        return;
      }
      s.append("\n  validate rejected ")
          .append(rejected.size())
          .append(rejected.size() == 1 ? " command" : " commands")
          .append(", skipped on every replica: ");
      int shown = 0;
      for (Map.Entry<Integer, String> e : rejected.entrySet()) {
        if (shown == MAX_SHOWN_REJECTIONS) {
          s.append(", and ").append(rejected.size() - shown).append(" more");
          break;
        }
        s.append(shown == 0 ? "" : ", ")
            .append("command ")
            .append(e.getKey())
            .append(" (")
            .append(truncate(e.getValue(), 80))
            .append(')');
        shown++;
      }
    }

    private static String describeReply(Step step) {
      return step.failure != null ? "threw " + step.failure : describe(step.reply);
    }

    private static String describeDigest(byte[] digest) {
      return HexFormat.of().formatHex(digest, 0, 8) + "…";
    }

    /** Hexadecimal, truncated, with the text as well if it is printable ASCII. */
    private static String describe(byte[] bytes) {
      if (bytes.length == 0) {
        return "(empty)";
      }
      int shown = Math.min(bytes.length, MAX_SHOWN_BYTES);
      StringBuilder s = new StringBuilder(HexFormat.of().formatHex(bytes, 0, shown));
      if (shown < bytes.length) {
        s.append('…');
      }
      s.append(" (").append(bytes.length).append(bytes.length == 1 ? " byte)" : " bytes)");
      boolean printable = true;
      for (byte b : bytes) {
        printable &= b >= 0x20 && b < 0x7f;
      }
      if (printable) {
        s.append(" \"")
            .append(truncate(new String(bytes, StandardCharsets.US_ASCII), 2 * MAX_SHOWN_BYTES))
            .append('"');
      }
      return s.toString();
    }

    private static String truncate(String s, int max) {
      return s.length() <= max ? s : s.substring(0, max) + "…";
    }
  }
}
