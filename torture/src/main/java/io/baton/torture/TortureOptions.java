package io.baton.torture;

import io.baton.FailureDetection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one torture run; {@link TortureMain} makes them from the command line.
 *
 * @param duration how long the workload runs under faults (the final checks come after)
 * @param nodes 3 or 5 node processes
 * @param nemeses the fault families to inject
 * @param seed seeds the fault schedule and the operations' choices
 * @param profile the nodes' failure-detection profile
 * @param out the report directory
 * @param clients concurrent client threads (processes, in Jepsen's terms)
 * @param brokenStaleReads the deliberately broken mode: register reads are STALE reads of one node,
 *     and every isolation fault is followed by a guaranteed stale read on the isolated node, which
 *     the checker must convict
 * @param minOkOps fewer successful operations than this makes the run inconclusive (failed)
 * @param snapshotEvery the nodes' snapshot interval in log entries (small, to exercise snapshots)
 * @param requestTimeout the clients' request timeout: longer than any single fault
 * @param recoveryTimeout how long the cluster may take to serve again after a fault is healed
 * @param checkBudget how long the linearizability search may spend on one key
 * @param network whether network namespaces are used ({@code auto}: when root)
 * @param rejoin how a node removed by the membership nemesis comes back
 */
public record TortureOptions(
    Duration duration,
    int nodes,
    Set<NemesisKind> nemeses,
    long seed,
    FailureDetection profile,
    Path out,
    int clients,
    boolean brokenStaleReads,
    long minOkOps,
    long snapshotEvery,
    Duration requestTimeout,
    Duration recoveryTimeout,
    Duration checkBudget,
    NetworkMode network,
    Rejoin rejoin) {

  /** How a node removed by the membership nemesis is brought back. */
  public enum Rejoin {
    /** Either way, chosen by the seed for each fault. */
    BOTH,
    /** On a wiped data directory: it receives the leader's snapshot. */
    WIPED,
    /** On its own old data directory (cold standby): only what it missed is sent. */
    OLD_DATA;

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** How the nodes are networked. */
  public enum NetworkMode {
    /** Namespaces when possible, loopback (no network faults, said loudly) otherwise. */
    AUTO,
    /** Namespaces or fail. */
    NAMESPACES,
    /** Loopback only: network faults are not exercised. */
    LOOPBACK
  }

  public TortureOptions {
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(nemeses, "nemeses");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(rejoin, "rejoin");
    nemeses = Set.copyOf(nemeses);
  }

  /** Defaults for a run of {@code duration} with every nemesis. */
  public static TortureOptions defaults(Duration duration, long seed, Path out) {
    return new TortureOptions(
        duration,
        3,
        EnumSet.allOf(NemesisKind.class),
        seed,
        FailureDetection.DEFAULT,
        out,
        6,
        false,
        1000,
        2000,
        Duration.ofSeconds(20),
        Duration.ofSeconds(60),
        Duration.ofSeconds(60),
        NetworkMode.AUTO,
        Rejoin.BOTH);
  }

  TortureOptions withRejoin(Rejoin how) {
    return new TortureOptions(
        duration,
        nodes,
        nemeses,
        seed,
        profile,
        out,
        clients,
        brokenStaleReads,
        minOkOps,
        snapshotEvery,
        requestTimeout,
        recoveryTimeout,
        checkBudget,
        network,
        how);
  }

  TortureOptions withNemeses(Set<NemesisKind> set) {
    return new TortureOptions(
        duration,
        nodes,
        set,
        seed,
        profile,
        out,
        clients,
        brokenStaleReads,
        minOkOps,
        snapshotEvery,
        requestTimeout,
        recoveryTimeout,
        checkBudget,
        network,
        rejoin);
  }

  TortureOptions withBroken(boolean broken) {
    return new TortureOptions(
        duration,
        nodes,
        nemeses,
        seed,
        profile,
        out,
        clients,
        broken,
        minOkOps,
        snapshotEvery,
        requestTimeout,
        recoveryTimeout,
        checkBudget,
        network,
        rejoin);
  }

  TortureOptions withMinOkOps(long min) {
    return new TortureOptions(
        duration,
        nodes,
        nemeses,
        seed,
        profile,
        out,
        clients,
        brokenStaleReads,
        min,
        snapshotEvery,
        requestTimeout,
        recoveryTimeout,
        checkBudget,
        network,
        rejoin);
  }

  TortureOptions withNetwork(NetworkMode mode) {
    return new TortureOptions(
        duration,
        nodes,
        nemeses,
        seed,
        profile,
        out,
        clients,
        brokenStaleReads,
        minOkOps,
        snapshotEvery,
        requestTimeout,
        recoveryTimeout,
        checkBudget,
        mode,
        rejoin);
  }

  /** The command line that reproduces this run. */
  String reproduce() {
    StringBuilder b = new StringBuilder("./baton torture");
    b.append(" --duration ").append(formatDuration(duration));
    b.append(" --nodes ").append(nodes);
    b.append(" --nemesis ")
        .append(String.join(",", nemeses.stream().sorted().map(NemesisKind::label).toList()));
    b.append(" --seed ").append(seed);
    b.append(" --profile ").append(profile);
    b.append(" --clients ").append(clients);
    b.append(" --network ").append(network.name().toLowerCase(Locale.ROOT));
    b.append(" --snapshot-every ").append(snapshotEvery);
    if (rejoin != Rejoin.BOTH) {
      b.append(" --rejoin ").append(rejoin.label());
    }
    if (brokenStaleReads) {
      b.append(" --broken stale-reads");
    }
    return b.toString();
  }

  static String formatDuration(Duration d) {
    long s = d.toSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  /**
   * Parses {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms} or an ISO-8601 duration.
   *
   * @throws IllegalArgumentException naming {@code text} if it is none of these
   */
  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
    try {
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
      }
      return Duration.parse(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration such as 90s, 5m or 1h", e);
    }
  }
}
