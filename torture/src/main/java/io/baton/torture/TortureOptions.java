package io.baton.torture;

import io.baton.FailureDetection;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one torture run.
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

  static final String USAGE =
      "usage: baton torture [options]\n"
          + "\n"
          + "Runs Baton nodes as separate processes, drives register, set and counter workloads\n"
          + "through the client while a nemesis injects faults, then checks the history for\n"
          + "linearizability and lost writes and compares every replica's state.\n"
          + "\n"
          + "options:\n"
          + "  --duration D          workload time under faults: 90s, 5m, 1h (default 2m)\n"
          + "  --nodes 3|5           node processes (default 3)\n"
          + "  --nemesis LIST        comma list of kill, pause, partition, loss, membership, delay,\n"
          + "                        or all (default all)\n"
          + "  --seed N              fault schedule and operation seed (default: random, printed)\n"
          + "  --profile P           nodes' failure detection: FAST, DEFAULT or WAN (default DEFAULT)\n"
          + "  --out DIR             report directory (default target/torture/<time>-seed-<N>)\n"
          + "  --clients N           client threads, 1-32 (default 6)\n"
          + "  --network MODE        auto, namespaces or loopback (default auto: namespaces if root)\n"
          + "  --snapshot-every N    node snapshot interval in entries (default 2000)\n"
          + "  --request-timeout D   client request timeout, 1s-60s (default 20s)\n"
          + "  --min-ok N            fewer successful operations fails the run (default 1000)\n"
          + "  --rejoin HOW          how a removed node comes back: both, wiped or old-data\n"
          + "                        (default both)\n"
          + "  --broken stale-reads  deliberately broken mode: the checker must report a violation\n"
          + "  --help                this text\n"
          + "\n"
          + "Exit status: 0 valid, 1 a check failed (see the report), 2 bad usage.\n"
          + "Partition, loss and delay faults need root (network namespaces, iptables and, for\n"
          + "delay, a proxy the peer traffic is redirected through); without it the run says so and\n"
          + "records them as not exercised, and fails if they were asked for. Membership faults\n"
          + "work everywhere.\n";

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

  /** Parses {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms} or an ISO-8601 duration. */
  static Duration parseDuration(String option, String text) {
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
      throw new UsageException(
          "option --" + option + ": '" + text + "' is not a duration such as 90s, 5m or 1h");
    }
  }

  /** Parses the command line; {@code null} means {@code --help} was asked for. */
  static TortureOptions parse(List<String> args) {
    Map<String, String> values = new LinkedHashMap<>();
    Set<String> known =
        Set.of(
            "duration",
            "nodes",
            "nemesis",
            "seed",
            "profile",
            "out",
            "clients",
            "network",
            "snapshot-every",
            "request-timeout",
            "min-ok",
            "broken",
            "recovery-timeout",
            "check-budget",
            "rejoin");
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--help") || a.equals("-h") || a.equals("help")) {
        return null;
      }
      if (!a.startsWith("--")) {
        throw new UsageException("unexpected argument '" + a + "' (options start with --)");
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (!known.contains(name)) {
        throw new UsageException("unknown option --" + name);
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new UsageException("option --" + name + " needs a value");
        }
        value = args.get(++i);
      }
      if (values.put(name, value) != null) {
        throw new UsageException("option --" + name + " is given twice");
      }
    }
    long seed =
        values.containsKey("seed")
            ? parseLong("seed", values.get("seed"), Long.MIN_VALUE, Long.MAX_VALUE)
            : new java.security.SecureRandom().nextLong() & Long.MAX_VALUE;
    Duration duration = parseDuration("duration", values.getOrDefault("duration", "2m"));
    if (duration.compareTo(Duration.ofSeconds(10)) < 0) {
      throw new UsageException(
          "option --duration: must be at least 10s, got " + values.get("duration"));
    }
    int nodes = (int) parseLong("nodes", values.getOrDefault("nodes", "3"), 1, 99);
    if (nodes != 3 && nodes != 5) {
      throw new UsageException("option --nodes: must be 3 or 5, got " + nodes);
    }
    Set<NemesisKind> nemeses = parseNemeses(values.getOrDefault("nemesis", "all"));
    FailureDetection profile;
    try {
      profile =
          FailureDetection.valueOf(
              values.getOrDefault("profile", "DEFAULT").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "option --profile: '" + values.get("profile") + "' is not one of FAST, DEFAULT, WAN");
    }
    String stamp =
        LocalDateTime.now(ZoneId.systemDefault())
            .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
    Path out =
        Path.of(values.getOrDefault("out", "target/torture/" + stamp + "-seed-" + seed))
            .toAbsolutePath();
    int clients = (int) parseLong("clients", values.getOrDefault("clients", "6"), 1, 32);
    NetworkMode network;
    try {
      network =
          NetworkMode.valueOf(values.getOrDefault("network", "auto").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "option --network: '"
              + values.get("network")
              + "' is not one of auto, namespaces, loopback");
    }
    boolean broken = false;
    if (values.containsKey("broken")) {
      if (!values.get("broken").equals("stale-reads")) {
        throw new UsageException(
            "option --broken: the only broken mode is 'stale-reads', got '"
                + values.get("broken")
                + "'");
      }
      broken = true;
    }
    long snapshotEvery =
        parseLong(
            "snapshot-every", values.getOrDefault("snapshot-every", "2000"), 1, Long.MAX_VALUE);
    Duration requestTimeout =
        parseDuration("request-timeout", values.getOrDefault("request-timeout", "20s"));
    if (requestTimeout.compareTo(Duration.ofSeconds(1)) < 0
        || requestTimeout.compareTo(Duration.ofSeconds(60)) > 0) {
      throw new UsageException(
          "option --request-timeout: must be 1s to 60s, got " + values.get("request-timeout"));
    }
    long minOk = parseLong("min-ok", values.getOrDefault("min-ok", "1000"), 0, Long.MAX_VALUE);
    Duration recovery =
        parseDuration("recovery-timeout", values.getOrDefault("recovery-timeout", "60s"));
    Duration budget = parseDuration("check-budget", values.getOrDefault("check-budget", "60s"));
    Rejoin rejoin;
    try {
      rejoin =
          Rejoin.valueOf(
              values.getOrDefault("rejoin", "both").toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "option --rejoin: '" + values.get("rejoin") + "' is not one of both, wiped, old-data");
    }
    return new TortureOptions(
        duration,
        nodes,
        nemeses,
        seed,
        profile,
        out,
        clients,
        broken,
        minOk,
        snapshotEvery,
        requestTimeout,
        recovery,
        budget,
        network,
        rejoin);
  }

  private static Set<NemesisKind> parseNemeses(String text) {
    Set<NemesisKind> set = EnumSet.noneOf(NemesisKind.class);
    List<String> bad = new ArrayList<>();
    for (String part : Pattern.compile(",").split(text, -1)) {
      String p = part.strip().toLowerCase(Locale.ROOT);
      if (p.equals("all")) {
        set.addAll(EnumSet.allOf(NemesisKind.class));
      } else if (!p.equals("none")) {
        try {
          set.add(NemesisKind.valueOf(p.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          bad.add("'" + part + "'");
        }
      }
    }
    if (!bad.isEmpty()) {
      throw new UsageException(
          "option --nemesis: "
              + String.join(", ", bad)
              + " not one of kill, pause, partition, loss, membership, delay, all, none");
    }
    return set;
  }

  private static long parseLong(String option, String text, long min, long max) {
    long v;
    try {
      v = Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw new UsageException("option --" + option + ": '" + text + "' is not a whole number");
    }
    if (v < min || v > max) {
      throw new UsageException(
          "option --" + option + ": " + v + " is out of range [" + min + ", " + max + "]");
    }
    return v;
  }
}
