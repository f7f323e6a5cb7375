package io.baton.testing;

import io.baton.statemachine.StateMachine;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The outcome of one {@link DeterminismCheck#run}, the check's report: whether the replicas agreed,
 * and if not, where they first diverged. {@link #toString()} describes it in full, with the
 * diverging replies and state digests (hexadecimal, truncated). Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class DeterminismReport {
  private static final String ADVICE =
      "apply must depend only on its command (bytes and index) and the state it reads: not on a"
          + " clock, randomness, identity hash codes or hash iteration order, static fields, or"
          + " in-memory fields that open() does not rebuild from the state.";

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

  DeterminismReport(
      DeterminismCheck check,
      List<byte[]> commands,
      SortedMap<Integer, String> rejected,
      List<Integer> log,
      int referenceSteps,
      DeterminismRun.Divergence divergence,
      DeterminismRun.Step failed) {
    this.replicas = check.replicas();
    this.digestEvery = check.digestEvery();
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
   * differed from replica 0's, or empty if none did. With {@link
   * DeterminismCheck.Builder#digestEvery} above 1, a difference in state may have arisen up to that
   * many commands earlier.
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
   * The commands {@link StateMachine#validate} rejected and that no replica applied, by position in
   * the command list, each with the message the client would have received. Sorted by position;
   * unmodifiable.
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
   * @throws AssertionError with {@link #toString()} as its message, and the exception {@code apply}
   *     threw, if any, as its cause
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
      StringBuilder s, DeterminismCheck check, List<byte[]> commands, DeterminismRun.Divergence d) {
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

  private static String headline(
      DeterminismRun.Divergence d, boolean replyDiffers, boolean stateDiffers) {
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

  private static String describeReply(DeterminismRun.Step step) {
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
