package io.baton.examples.cli;

import io.baton.BatonClient;
import io.baton.cli.BatonCommandLine;
import io.baton.cli.BatonVersion;
import io.baton.cli.NodeApp;
import io.baton.examples.counter.CounterStateMachine;
import io.baton.examples.fleet.FleetStateMachine;
import io.baton.examples.fleet.GeofenceAlertDispatcher;
import io.baton.examples.kv.KvStateMachine;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The top-level {@code baton} command, main class of {@code baton.jar}: the operator tools of
 * {@code io.baton.cli} ({@code node}, {@code admin}) with the example applications registered as
 * {@code node --app} kv, counter and fleet, and the example commands {@code kv}, {@code counter},
 * {@code fleet} and {@code demo}. {@code baton help} lists the commands; each takes {@code --help}.
 *
 * <p>Exit status: 0 when the command did what was asked (a key that is not found, or a
 * compare-and-set that did not match, is an answer and exits 0), 1 on an operational failure (the
 * cluster could not be reached in time, a command was rejected), 2 on bad usage, with a message
 * naming the bad option or argument.
 */
@Command(
    name = "baton",
    mixinStandardHelpOptions = true,
    versionProvider = BatonVersion.class,
    scope = ScopeType.INHERIT,
    synopsisSubcommandLabel = "COMMAND",
    description = "Baton replicates an application state machine across a cluster (hot standby).")
public final class BatonCli {
  // Ratis's relocated gRPC logs through java.util.logging; held so the level is not collected.
  private static final Logger GRPC_LOG = Logger.getLogger("org.apache.ratis.thirdparty.io.grpc");

  private final PrintStream out;
  private final PrintStream err;

  /** A launcher printing results to {@code out} and errors to {@code err}. */
  public BatonCli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs the command line {@code args} and exits with its status. */
  public static void main(String[] args) {
    GRPC_LOG.setLevel(Level.WARNING);
    if (args.length > 0 && Set.of("kv", "counter", "fleet").contains(args[0])) {
      // A client command reports its outcome in its exit status and message; Ratis's client
      // logs every retry against an unreachable node as an error with a stack trace. Must be set
      // before the first logger is created.
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.ratis", "off");
    }
    if (args.length > 0 && args[0].equals("demo")) {
      // The demo tells its story in plain words; the nodes' own logs (retries, reconnects and
      // elections around the kill, all expected) would bury it. Warnings from Baton still show.
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.ratis", "off");
      System.setProperty("org.slf4j.simpleLogger.log.io.baton", "warn");
    }
    System.exit(new BatonCli(System.out, System.err).run(args));
  }

  /** The applications {@code baton node --app NAME} runs. */
  static Map<String, NodeApp> apps() {
    return Map.of(
        "kv",
        NodeApp.of(KvStateMachine::new),
        "counter",
        NodeApp.of(CounterStateMachine::new),
        "fleet",
        BatonCli::fleet);
  }

  /**
   * The fleet app: its state machine, and the geofence alert dispatcher that runs on the leader.
   */
  private static NodeApp.Instance fleet(io.baton.NodeConfig config) {
    BatonClient alertClient =
        BatonClient.newBuilder().peers(config.peers()).clusterName(config.clusterName()).build();
    GeofenceAlertDispatcher dispatcher = new GeofenceAlertDispatcher(alertClient);
    return new NodeApp.Instance(
        new FleetStateMachine(),
        List.of(dispatcher),
        () -> {
          dispatcher.close();
          alertClient.close();
        });
  }

  /** The command line, printing to this launcher's streams. */
  CommandLine commandLine() {
    CommandLine cl =
        BatonCommandLine.create(
            this,
            apps(),
            List.of(
                new KvCommand(), new CounterCommand(), new FleetCommand(), new DemoCommand(out)),
            out,
            err);
    // Set here rather than in @Command, where INHERIT would copy it into every subcommand.
    cl.getCommandSpec()
        .usageMessage()
        .footer(
            "%nRun 'baton COMMAND --help' for a command's arguments and options.",
            "Exit status: 0 done, 1 operational failure, 2 bad usage.");
    return cl;
  }

  /**
   * Runs the command line {@code args}. For {@code node}, blocks until the JVM shuts down.
   *
   * @return the exit status: 0 done, 1 operational failure, 2 bad usage
   */
  public int run(String... args) {
    if (args.length == 0) {
      commandLine().usage(err);
      return BatonCommandLine.USAGE;
    }
    return commandLine().execute(args);
  }
}
