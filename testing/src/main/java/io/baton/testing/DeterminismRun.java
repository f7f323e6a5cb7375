package io.baton.testing;

import static io.baton.internal.Preconditions.checkArgument;

import io.baton.internal.ratis.CommandPath;
import io.baton.statemachine.StateMachine;
import io.baton.storage.RocksDbStateStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One run of a {@link DeterminismCheck}: replica 0 validates the commands and applies the accepted
 * ones, then each other replica applies them in turn (restarted once part-way) and is compared with
 * replica 0 after every command; the outcome becomes a {@link DeterminismReport}. Used once, on one
 * thread.
 */
final class DeterminismRun {
  // Every command is applied in one term: a leader change does not change the log a replica sees.
  private static final long TERM = 1;

  private final DeterminismCheck check;
  private final List<byte[]> commands;
  private final Path root;
  private final Set<StateMachine> instances = Collections.newSetFromMap(new IdentityHashMap<>());
  private final SortedMap<Integer, String> rejected = new TreeMap<>();
  // Positions in commands of the accepted commands: log index i is log.get(i - 1).
  private final List<Integer> log = new ArrayList<>();

  DeterminismRun(DeterminismCheck check, List<byte[]> commands, Path root) {
    this.check = check;
    this.commands = commands;
    this.root = root;
  }

  DeterminismReport execute() {
    List<Step> reference = runLeader();
    Divergence first = null;
    int limit = reference.size();
    for (int r = 1; r < check.replicas(); r++) {
      Divergence d = runFollower(r, reference, limit);
      if (d != null) {
        first = d;
        // Later replicas only need to look for an earlier divergence.
        limit = d.step;
      }
    }
    Step last = reference.isEmpty() ? null : reference.get(reference.size() - 1);
    return new DeterminismReport(
        check,
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
    int restartAt = check.restartStep(replica, log.size());
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
    boolean compare = (step + 1) % check.digestEvery() == 0 || step == log.size() - 1;
    return new Step(reply, null, compare ? store.digest() : null);
  }

  private StateMachine newInstance(int replica) {
    StateMachine app = check.stateMachines().get();
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

  /** One command's outcome on one replica. */
  static final class Step {
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
  static final class Divergence {
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
}
