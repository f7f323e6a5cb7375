package io.baton.torture;

import io.baton.FailureDetection;
import io.baton.cli.BatonCommandLine;
import io.baton.cli.BatonVersion;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The soak command line: {@code java -jar torture/target/torture.jar [options]}, or {@code ./baton
 * torture [options]}. {@code --help} lists the options. Exit status: 0 when every check passed, 1
 * when one failed (the report says which), 2 on bad usage. Turns the options into {@link
 * TortureOptions} and runs {@link TortureRun}.
 */
@Command(
    name = "baton torture",
    mixinStandardHelpOptions = true,
    versionProvider = BatonVersion.class,
    sortOptions = false,
    subcommands = CommandLine.HelpCommand.class,
    description = {
      "Runs Baton nodes as separate processes, drives register, set and counter workloads"
          + " through the client while a nemesis injects faults, then checks the history for"
          + " linearizability and lost writes and compares every replica's state."
    },
    footer = {
      "%nExit status: 0 valid, 1 a check failed (see the report), 2 bad usage.",
      "Partition, loss and delay faults need root (network namespaces, iptables and, for delay, a"
          + " proxy the peer traffic is redirected through); without it the run says so and"
          + " records them as not exercised, and fails if they were asked for. Membership faults"
          + " work everywhere."
    })
public final class TortureMain implements Callable<Integer> {
  private final PrintStream out;

  @Spec private CommandSpec spec;

  @Option(
      names = "--duration",
      paramLabel = "D",
      defaultValue = "2m",
      converter = DurationConverter.class,
      description = "workload time under faults: 90s, 5m, 1h (default ${DEFAULT-VALUE})")
  private Duration duration;

  @Option(
      names = "--nodes",
      paramLabel = "3|5",
      defaultValue = "3",
      description = "node processes (default ${DEFAULT-VALUE})")
  private int nodes;

  @Option(
      names = "--nemesis",
      paramLabel = "LIST",
      defaultValue = "all",
      description =
          "comma list of kill, pause, partition, loss, membership, delay, or all"
              + " (default ${DEFAULT-VALUE})")
  private String nemesis;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "fault schedule and operation seed (default: random, printed)")
  private Long seed;

  @Option(
      names = "--profile",
      paramLabel = "P",
      defaultValue = "DEFAULT",
      description = "nodes' failure detection: FAST, DEFAULT or WAN (default ${DEFAULT-VALUE})")
  private FailureDetection profile;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "report directory (default target/torture/<time>-seed-<N>)")
  private Path outDir;

  @Option(
      names = "--clients",
      paramLabel = "N",
      defaultValue = "6",
      description = "client threads, 1-32 (default ${DEFAULT-VALUE})")
  private long clients;

  @Option(
      names = "--network",
      paramLabel = "MODE",
      defaultValue = "AUTO",
      description = "auto, namespaces or loopback (default auto: namespaces if root)")
  private TortureOptions.NetworkMode network;

  @Option(
      names = "--snapshot-every",
      paramLabel = "N",
      defaultValue = "2000",
      description = "node snapshot interval in entries (default ${DEFAULT-VALUE})")
  private long snapshotEvery;

  @Option(
      names = "--request-timeout",
      paramLabel = "D",
      defaultValue = "20s",
      converter = DurationConverter.class,
      description = "client request timeout, 1s-60s (default ${DEFAULT-VALUE})")
  private Duration requestTimeout;

  @Option(
      names = "--min-ok",
      paramLabel = "N",
      defaultValue = "1000",
      description = "fewer successful operations fails the run (default ${DEFAULT-VALUE})")
  private long minOk;

  @Option(
      names = "--rejoin",
      paramLabel = "HOW",
      defaultValue = "both",
      converter = RejoinConverter.class,
      description = "how a removed node comes back: both, wiped or old-data (default both)")
  private TortureOptions.Rejoin rejoin;

  @Option(
      names = "--broken",
      paramLabel = "stale-reads",
      description = "deliberately broken mode: the checker must report a violation")
  private String broken;

  @Option(
      names = "--recovery-timeout",
      paramLabel = "D",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "how long the cluster may take to serve again after a fault is healed")
  private Duration recoveryTimeout;

  @Option(
      names = "--check-budget",
      paramLabel = "D",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "how long the linearizability search may spend on one key")
  private Duration checkBudget;

  private TortureMain(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // The harness's own Ratis clients log every redirect at INFO; only warnings matter here.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.exit(run(List.of(args), System.out, System.err));
  }

  static int run(List<String> args, PrintStream out, PrintStream err) {
    return commandLine(out, err).execute(args.toArray(new String[0]));
  }

  private static CommandLine commandLine(PrintStream out, PrintStream err) {
    return BatonCommandLine.configure(new CommandLine(new TortureMain(out)), out, err);
  }

  /**
   * The options {@code args} give, as the run would see them.
   *
   * @throws ParameterException if {@code args} are bad usage; the message names the option
   */
  static TortureOptions parse(String... args) {
    CommandLine cl = commandLine(System.out, System.err);
    cl.parseArgs(args);
    return cl.<TortureMain>getCommand().options();
  }

  @Override
  public Integer call() {
    TortureOptions options = options();
    if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
      // The harness's own Ratis clients log leader redirects as errors: keep them out of the
      // console, in the report directory.
      System.setProperty(
          "org.slf4j.simpleLogger.logFile", options.out().resolve("harness.log").toString());
    }
    RunResult result = TortureRun.run(options, out);
    out.println();
    out.println(
        "torture: "
            + (result.passed() ? "PASS" : "FAIL")
            + "; report: "
            + result.reportDir().resolve("report.txt"));
    return result.passed() ? BatonCommandLine.OK : BatonCommandLine.FAILED;
  }

  /** Checks the options against each other and their ranges, and fills the computed defaults. */
  private TortureOptions options() {
    if (duration.compareTo(Duration.ofSeconds(10)) < 0) {
      throw usage(
          "--duration: must be at least 10s, got " + TortureOptions.formatDuration(duration));
    }
    if (nodes != 3 && nodes != 5) {
      throw usage("--nodes: must be 3 or 5, got " + nodes);
    }
    BatonCommandLine.checkRange(spec, "--clients", clients, 1, 32);
    BatonCommandLine.checkRange(spec, "--snapshot-every", snapshotEvery, 1, Long.MAX_VALUE);
    BatonCommandLine.checkRange(spec, "--min-ok", minOk, 0, Long.MAX_VALUE);
    if (requestTimeout.compareTo(Duration.ofSeconds(1)) < 0
        || requestTimeout.compareTo(Duration.ofSeconds(60)) > 0) {
      throw usage(
          "--request-timeout: must be 1s to 60s, got "
              + TortureOptions.formatDuration(requestTimeout));
    }
    if (broken != null && !broken.equals("stale-reads")) {
      throw usage("--broken: the only broken mode is 'stale-reads', got '" + broken + "'");
    }
    long s = seed != null ? seed : new SecureRandom().nextLong() & Long.MAX_VALUE;
    String stamp =
        LocalDateTime.now(ZoneId.systemDefault())
            .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
    Path dir = outDir != null ? outDir : Path.of("target/torture/" + stamp + "-seed-" + s);
    return new TortureOptions(
        duration,
        nodes,
        nemeses(nemesis),
        s,
        profile,
        dir.toAbsolutePath(),
        (int) clients,
        broken != null,
        minOk,
        snapshotEvery,
        requestTimeout,
        recoveryTimeout,
        checkBudget,
        network,
        rejoin);
  }

  private Set<NemesisKind> nemeses(String text) {
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
      throw usage(
          "--nemesis: "
              + String.join(", ", bad)
              + " not one of kill, pause, partition, loss, membership, delay, all, none");
    }
    return set;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), "option " + message);
  }

  /** Converts {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms} or ISO-8601 to a duration. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return TortureOptions.parseDuration(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** Converts {@code both}, {@code wiped} or {@code old-data}. */
  static final class RejoinConverter implements CommandLine.ITypeConverter<TortureOptions.Rejoin> {
    @Override
    public TortureOptions.Rejoin convert(String value) {
      try {
        return TortureOptions.Rejoin.valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "' is not one of both, wiped, old-data");
      }
    }
  }
}
