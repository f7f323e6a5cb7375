package io.baton.examples.cli;

import io.baton.BatonClient;
import io.baton.BatonException;
import io.baton.BatonNode;
import io.baton.FailureDetection;
import io.baton.NodeConfig;
import io.baton.Peer;
import io.baton.ReadConsistency;
import io.baton.SnapshotPolicy;
import io.baton.examples.counter.CounterStateMachine;
import io.baton.examples.demo.FailoverDemo;
import io.baton.examples.fleet.Alert;
import io.baton.examples.fleet.FleetClient;
import io.baton.examples.fleet.FleetStateMachine;
import io.baton.examples.fleet.GeofenceAlertDispatcher;
import io.baton.examples.fleet.ReportResult;
import io.baton.examples.fleet.VehiclePosition;
import io.baton.examples.kv.KvClient;
import io.baton.examples.kv.KvStateMachine;
import io.baton.statemachine.Keys;
import io.baton.statemachine.RoleChange;
import io.baton.statemachine.StateMachine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The {@code baton} command-line launcher: runs a node, talks to a cluster of the example state
 * machines, or runs the failover demo. {@code baton help} lists the subcommands; each takes {@code
 * --help}.
 *
 * <p>Exit status: 0 when the command did what was asked (a key that is not found, or a
 * compare-and-set that did not match, is an answer and exits 0), 1 on an operational failure (the
 * cluster could not be reached in time, a command was rejected), 2 on bad usage, with a message
 * naming the bad option or argument.
 */
public final class BatonCli {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private static final String CLIENT_OPTIONS =
      "  --peers ID=HOST:PORT,...   the cluster's nodes (required)\n"
          + "  --cluster NAME             the cluster's name (default baton)\n"
          + "  --timeout-seconds N        how long to wait for the cluster (default 10)\n";

  private static final String USAGE_TEXT =
      "usage: baton <command> [arguments] [options]\n"
          + "\n"
          + "Baton replicates an application state machine across a cluster (hot standby).\n"
          + "\n"
          + "commands:\n"
          + "  node      run one node of a cluster (kv, counter or fleet)\n"
          + "  kv        put, get, delete, cas, count and scan keys on a kv cluster\n"
          + "  counter   add to and read a counter cluster\n"
          + "  fleet     report and find vehicles, define geofences on a fleet cluster\n"
          + "  demo      three nodes in this process: kill the leader, measure, verify\n"
          + "  admin     status, add/remove/replace nodes, switchover, drain, failback, verify\n"
          + "  help      show this list\n"
          + "\n"
          + "Run 'baton <command> --help' for a command's arguments and options.\n"
          + "Exit status: 0 done, 1 operational failure, 2 bad usage.\n";

  private static final String NODE_HELP =
      "usage: baton node --id ID --peers ID=HOST:PORT,... --data DIR --app kv|counter|fleet"
          + " [options]\n"
          + "\n"
          + "Runs one node until SIGTERM or SIGINT (Ctrl-C), then stops gracefully: a leader hands\n"
          + "leadership to a follower first. Prints a line at each role change. Start every node\n"
          + "of the cluster with the same --peers, --app and --cluster.\n"
          + "\n"
          + "options:\n"
          + "  --id ID                    this node's id, one of the ids in --peers (required)\n"
          + "  --peers ID=HOST:PORT,...   every node of the cluster (required)\n"
          + "  --data DIR                 this node's data directory (required)\n"
          + "  --app kv|counter|fleet     the state machine to replicate (required)\n"
          + "  --cluster NAME             the cluster's name (default baton)\n"
          + "  --profile FAST|DEFAULT|WAN failure detection: election timeout 50-100 ms,\n"
          + "                             150-300 ms or 1-2 s (default DEFAULT)\n"
          + "  --snapshot-every N         snapshot after N applied entries (default 100000)\n"
          + "  --join                     start outside the cluster, as a standby that waits to\n"
          + "                             be added with 'baton admin add' (or add-listener);\n"
          + "                             --peers then lists the current members and this node\n"
          + "\n"
          + "example:\n"
          + "  baton node --id n1 --peers n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103"
          + " \\\n"
          + "             --data ./data/n1 --app kv\n";

  private static final String KV_HELP =
      "usage: baton kv <operation> [arguments] --peers ID=HOST:PORT,... [options]\n"
          + "\n"
          + "operations:\n"
          + "  put KEY VALUE              set KEY to VALUE\n"
          + "  get KEY                    print KEY's value, or (not found)\n"
          + "  delete KEY                 remove KEY\n"
          + "  cas KEY EXPECTED NEW       set KEY to NEW if it holds EXPECTED\n"
          + "  cas KEY NEW --absent       set KEY to NEW if it does not exist\n"
          + "  count                      print the number of keys\n"
          + "  scan [PREFIX]              print the keys starting with PREFIX, in order\n"
          + "\n"
          + "options:\n"
          + CLIENT_OPTIONS
          + "  --consistency linearizable|follower|stale   for get (default linearizable)\n"
          + "  --limit N                  for scan: the most entries to print, 1-10000"
          + " (default 100)\n";

  private static final String COUNTER_HELP =
      "usage: baton counter add N | get --peers ID=HOST:PORT,... [options]\n"
          + "\n"
          + "operations:\n"
          + "  add N                      add N (may be negative) and print the new value\n"
          + "  get                        print the value\n"
          + "\n"
          + "options:\n"
          + CLIENT_OPTIONS
          + "  --consistency linearizable|follower|stale   for get (default linearizable)\n";

  private static final String FLEET_HELP =
      "usage: baton fleet <operation> [arguments] --peers ID=HOST:PORT,... [options]\n"
          + "\n"
          + "operations:\n"
          + "  report VEHICLE LAT LON     report VEHICLE's position, timestamped now (or --at)\n"
          + "  where VEHICLE              print VEHICLE's last position\n"
          + "  area LAT1 LON1 LAT2 LON2   list the vehicles in the box with these corners\n"
          + "  geofence NAME LAT1 LON1 LAT2 LON2   define (or replace) a geofence; a vehicle\n"
          + "                             entering it raises an alert that the leader dispatches\n"
          + "  alerts                     list the alerts not yet dispatched\n"
          + "\n"
          + "options:\n"
          + CLIENT_OPTIONS
          + "  --at EPOCH_MILLIS          for report: when the position was taken\n"
          + "  --limit N                  for area and alerts: the most to print, 1-10000"
          + " (default 100)\n";

  private static final String DEMO_HELP =
      "usage: baton demo [--profile FAST|DEFAULT|WAN] [--duration-seconds N] [--data DIR]\n"
          + "\n"
          + "Starts three kv nodes in this process, writes continuously, kills the leader abruptly\n"
          + "half-way through, and reports who took over, how long writes were unavailable, and\n"
          + "whether every acknowledged write survived on every replica; then restarts the killed\n"
          + "node and shows it catching up. Exits 0 if every check passed.\n"
          + "\n"
          + "options:\n"
          + "  --profile FAST|DEFAULT|WAN failure detection (default DEFAULT)\n"
          + "  --duration-seconds N       how long the client writes, 1-3600 (default 4)\n"
          + "  --data DIR                 an empty or new directory for the nodes' data\n"
          + "                             (default: a temporary one, deleted if the demo passes)\n";

  private static final Set<String> CLIENT_VALUE_OPTIONS =
      Set.of("peers", "cluster", "timeout-seconds");

  private final PrintStream out;
  private final PrintStream err;

  /** A launcher printing results to {@code out} and errors to {@code err}. */
  public BatonCli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  // Ratis's relocated gRPC logs through java.util.logging; held so the level is not collected.
  private static final java.util.logging.Logger GRPC_LOG =
      java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty.io.grpc");

  /** Runs the command line {@code args} and exits with its status. */
  public static void main(String[] args) {
    GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
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

  /**
   * Runs the command line {@code args}. For {@code node}, blocks until the JVM shuts down.
   *
   * @return the exit status: 0 done, 1 operational failure, 2 bad usage
   */
  public int run(String... args) {
    if (args.length == 0) {
      err.print(USAGE_TEXT);
      return USAGE;
    }
    String command = args[0];
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    try {
      switch (command) {
        case "help":
        case "--help":
        case "-h":
          out.print(USAGE_TEXT);
          return OK;
        case "node":
          return node(rest);
        case "kv":
          return kv(rest);
        case "counter":
          return counter(rest);
        case "fleet":
          return fleet(rest);
        case "demo":
          return demo(rest);
        case "admin":
          return new AdminCli(out).run(rest);
        default:
          throw new UsageException("unknown command '" + command + "'");
      }
    } catch (UsageException e) {
      err.println("baton: " + e.getMessage());
      err.println(
          isCommand(command)
              ? "Run 'baton " + command + " --help' for usage."
              : "Run 'baton help' for the list of commands.");
      return USAGE;
    } catch (BatonException e) {
      err.println("baton " + command + ": " + e.getMessage());
      return FAILED;
    }
  }

  private static boolean isCommand(String command) {
    return Set.of("node", "kv", "counter", "fleet", "demo", "admin").contains(command);
  }

  // --- node ---

  private int node(List<String> argv) {
    Args args =
        Args.parse(
            "node",
            argv,
            Set.of("id", "peers", "data", "app", "cluster", "profile", "snapshot-every"),
            Set.of("join"));
    if (args.help()) {
      out.print(NODE_HELP);
      return OK;
    }
    args.positional(0, 0, "");
    String app = args.required("app");
    NodeConfig.Builder config =
        NodeConfig.newBuilder()
            .id(args.required("id"))
            .peers(peers(args))
            .dataDir(Path.of(args.required("data")))
            .join(args.flag("join"))
            .failureDetection(
                args.enumOption("profile", FailureDetection.class, FailureDetection.DEFAULT))
            .snapshotPolicy(
                SnapshotPolicy.everyEntries(
                    args.longOption(
                        "snapshot-every",
                        SnapshotPolicy.DEFAULT.everyEntries(),
                        1,
                        Long.MAX_VALUE)));
    args.option("cluster").ifPresent(c -> option("cluster", () -> config.clusterName(c)));
    NodeConfig built;
    try {
      built = config.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      // NodeConfig's messages name the fields that conflict, such as an id missing from peers.
      throw new UsageException("invalid node configuration: " + e.getMessage());
    }
    StateMachine stateMachine =
        switch (app) {
          case "kv" -> new KvStateMachine();
          case "counter" -> new CounterStateMachine();
          case "fleet" -> new FleetStateMachine();
          default ->
              throw new UsageException(
                  "option --app: '" + app + "' is not one of kv, counter, fleet");
        };
    return runNode(built, app, stateMachine);
  }

  private int runNode(NodeConfig config, String app, StateMachine stateMachine) {
    out.println("node " + config.id() + ": " + config);
    BatonNode.Builder builder =
        BatonNode.newBuilder()
            .config(config)
            .stateMachine(stateMachine)
            .addRoleListener(change -> printRole(config.id(), change));
    BatonClient alertClient = null;
    GeofenceAlertDispatcher dispatcher = null;
    if (app.equals("fleet")) {
      alertClient =
          BatonClient.newBuilder().peers(config.peers()).clusterName(config.clusterName()).build();
      dispatcher = new GeofenceAlertDispatcher(alertClient);
      builder.addRoleListener(dispatcher);
    }
    BatonNode node;
    try {
      node = builder.start();
    } catch (RuntimeException e) {
      if (alertClient != null) {
        alertClient.close();
      }
      throw e;
    }
    out.printf(
        "node %s started (app %s, cluster %s, listening on %s, data %s); stop with Ctrl-C%n",
        config.id(), app, config.clusterName(), config.self().address(), config.dataDir());
    CountDownLatch stopped = new CountDownLatch(1);
    GeofenceAlertDispatcher d = dispatcher;
    BatonClient c = alertClient;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("node " + config.id() + " stopping (a leader hands over first)");
                  node.close();
                  if (d != null) {
                    d.close();
                    c.close();
                  }
                  out.println("node " + config.id() + " stopped");
                  stopped.countDown();
                },
                "baton-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return OK;
  }

  private void printRole(String id, RoleChange change) {
    out.printf(
        "%s node %s is now %s (term %d%s)%n",
        LocalTime.now(java.time.ZoneId.systemDefault()).truncatedTo(ChronoUnit.MILLIS),
        id,
        change.role(),
        change.term(),
        change.leaderId().map(l -> ", leader " + l).orElse(", no leader known"));
  }

  // --- kv ---

  private int kv(List<String> argv) {
    Args args =
        Args.parse(
            "kv", argv, union(CLIENT_VALUE_OPTIONS, "consistency", "limit"), Set.of("absent"));
    if (args.help() || argv.isEmpty()) {
      (args.help() ? out : err).print(KV_HELP);
      return args.help() ? OK : USAGE;
    }
    List<String> words = args.positional(1, 4, "OPERATION ARGUMENTS...");
    String op = words.get(0);
    List<String> params = words.subList(1, words.size());
    String name = "kv " + op;
    ReadConsistency consistency = consistency(args);
    int limit = (int) args.longOption("limit", 100, 1, KvStateMachine.MAX_SCAN_LIMIT);
    switch (op) {
      case "put":
        expect(name, params, 2, "KEY VALUE");
        break;
      case "get":
      case "delete":
        expect(name, params, 1, "KEY");
        break;
      case "cas":
        expect(
            name,
            params,
            args.flag("absent") ? 2 : 3,
            args.flag("absent") ? "KEY NEW" : "KEY EXPECTED NEW");
        break;
      case "count":
        expect(name, params, 0, "");
        break;
      case "scan":
        if (params.size() > 1) {
          expect(name, params, 1, "[PREFIX]");
        }
        break;
      default:
        throw new UsageException(
            "unknown kv operation '" + op + "' (put, get, delete, cas, count, scan)");
    }
    if (args.flag("absent") && !op.equals("cas")) {
      throw new UsageException("option --absent applies only to 'kv cas'");
    }
    try (BatonClient client = client(args)) {
      KvClient kv = new KvClient(client);
      switch (op) {
        case "put":
          kv.put(params.get(0), params.get(1));
          out.println("ok");
          break;
        case "get":
          out.println(kv.get(params.get(0), consistency).orElse("(not found)"));
          break;
        case "delete":
          out.println(kv.delete(params.get(0)) ? "deleted" : "(not found)");
          break;
        case "cas":
          boolean absent = args.flag("absent");
          String key = params.get(0);
          boolean set =
              kv.compareAndSet(key, absent ? null : params.get(1), params.get(absent ? 1 : 2));
          out.println(
              set
                  ? "ok"
                  : absent
                      ? "not set: " + key + " exists"
                      : "not set: " + key + " does not hold '" + params.get(1) + "'");
          break;
        case "count":
          out.println(kv.count());
          break;
        default:
          Map<String, String> entries = kv.scan(params.isEmpty() ? "" : params.get(0), limit);
          entries.forEach((k, v) -> out.println(k + "\t" + v));
          break;
      }
    }
    return OK;
  }

  // --- counter ---

  private int counter(List<String> argv) {
    Args args = Args.parse("counter", argv, union(CLIENT_VALUE_OPTIONS, "consistency"), Set.of());
    if (args.help() || argv.isEmpty()) {
      (args.help() ? out : err).print(COUNTER_HELP);
      return args.help() ? OK : USAGE;
    }
    List<String> words = args.positional(1, 2, "OPERATION [N]");
    String op = words.get(0);
    List<String> params = words.subList(1, words.size());
    ReadConsistency consistency = consistency(args);
    long delta = 0;
    switch (op) {
      case "add":
        expect("counter add", params, 1, "N");
        delta = Args.wholeNumber("counter add N", params.get(0));
        break;
      case "get":
        expect("counter get", params, 0, "");
        break;
      default:
        throw new UsageException("unknown counter operation '" + op + "' (add, get)");
    }
    try (BatonClient client = client(args)) {
      byte[] value =
          op.equals("add")
              ? client.submit(Keys.longBytes(delta))
              : client.query(new byte[0], consistency);
      out.println(Keys.toLong(value));
    }
    return OK;
  }

  // --- fleet ---

  private int fleet(List<String> argv) {
    Args args = Args.parse("fleet", argv, union(CLIENT_VALUE_OPTIONS, "at", "limit"), Set.of());
    if (args.help() || argv.isEmpty()) {
      (args.help() ? out : err).print(FLEET_HELP);
      return args.help() ? OK : USAGE;
    }
    List<String> words = args.positional(1, 6, "OPERATION ARGUMENTS...");
    String op = words.get(0);
    List<String> p = words.subList(1, words.size());
    int limit = (int) args.longOption("limit", 100, 1, FleetStateMachine.MAX_LIMIT);
    Instant at =
        Instant.ofEpochMilli(args.longOption("at", System.currentTimeMillis(), 0, Long.MAX_VALUE));
    double[] numbers;
    switch (op) {
      case "report":
        expect("fleet report", p, 3, "VEHICLE LAT LON");
        numbers = numbers("fleet report", p.subList(1, 3), "LAT", "LON");
        break;
      case "where":
        expect("fleet where", p, 1, "VEHICLE");
        numbers = null;
        break;
      case "area":
        expect("fleet area", p, 4, "LAT1 LON1 LAT2 LON2");
        numbers = numbers("fleet area", p, "LAT1", "LON1", "LAT2", "LON2");
        break;
      case "geofence":
        expect("fleet geofence", p, 5, "NAME LAT1 LON1 LAT2 LON2");
        numbers = numbers("fleet geofence", p.subList(1, 5), "LAT1", "LON1", "LAT2", "LON2");
        break;
      case "alerts":
        expect("fleet alerts", p, 0, "");
        numbers = null;
        break;
      default:
        throw new UsageException(
            "unknown fleet operation '" + op + "' (report, where, area, geofence, alerts)");
    }
    try (BatonClient client = client(args)) {
      FleetClient fleet = new FleetClient(client);
      switch (op) {
        case "report":
          ReportResult r = fleet.report(p.get(0), numbers[0], numbers[1], at);
          if (!r.stored()) {
            out.println("not stored: " + r.reason());
          } else if (r.entered().isEmpty()) {
            out.println("stored");
          } else {
            out.println(
                "stored; entered "
                    + String.join(", ", r.entered())
                    + " (alert "
                    + r.alertId()
                    + ")");
          }
          break;
        case "where":
          Optional<VehiclePosition> pos = fleet.where(p.get(0));
          out.println(pos.map(BatonCli::format).orElse("(not found)"));
          break;
        case "area":
          List<VehiclePosition> in =
              fleet.inArea(numbers[0], numbers[1], numbers[2], numbers[3], limit);
          in.forEach(v -> out.println(format(v)));
          out.println(in.size() + (in.size() == 1 ? " vehicle" : " vehicles"));
          break;
        case "geofence":
          boolean replaced =
              fleet.defineGeofence(p.get(0), numbers[0], numbers[1], numbers[2], numbers[3]);
          out.println("geofence " + p.get(0) + (replaced ? " replaced" : " defined"));
          break;
        default:
          List<Alert> alerts = fleet.pendingAlerts(limit);
          for (Alert a : alerts) {
            out.printf(
                "alert %d: %s entered %s at %s, %s (%s)%n",
                a.id(),
                a.vehicleId(),
                String.join(", ", a.geofences()),
                a.lat(),
                a.lon(),
                a.reportedAt());
          }
          out.println(alerts.size() + " pending");
          break;
      }
    }
    return OK;
  }

  private static String format(VehiclePosition v) {
    return v.vehicleId() + " at " + v.lat() + ", " + v.lon() + " (reported " + v.reportedAt() + ")";
  }

  private static double[] numbers(String command, List<String> texts, String... names) {
    double[] values = new double[texts.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = Args.number(command + " " + names[i], texts.get(i));
    }
    return values;
  }

  // --- demo ---

  private int demo(List<String> argv) {
    Args args = Args.parse("demo", argv, Set.of("profile", "duration-seconds", "data"), Set.of());
    if (args.help()) {
      out.print(DEMO_HELP);
      return OK;
    }
    args.positional(0, 0, "");
    FailureDetection profile =
        args.enumOption("profile", FailureDetection.class, FailureDetection.DEFAULT);
    long seconds = args.longOption("duration-seconds", 4, 1, 3600);
    Path data = args.option("data").map(Path::of).orElse(null);
    if (data != null && Files.exists(data) && !isEmptyDirectory(data)) {
      throw new UsageException("option --data: " + data + " must be an empty directory or absent");
    }
    Duration half = Duration.ofMillis(seconds * 500);
    return FailoverDemo.run(new FailoverDemo.Options(profile, half, half, data), out);
  }

  private static boolean isEmptyDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  // --- shared ---

  private static BatonClient client(Args args) {
    List<Peer> peers = peers(args);
    long timeout = args.longOption("timeout-seconds", 10, 1, 3600);
    BatonClient.Builder builder =
        BatonClient.newBuilder().peers(peers).requestTimeout(Duration.ofSeconds(timeout));
    args.option("cluster").ifPresent(c -> option("cluster", () -> builder.clusterName(c)));
    return builder.build();
  }

  private static List<Peer> peers(Args args) {
    String text = args.required("peers");
    return option("peers", () -> Peer.parseList(text));
  }

  private static ReadConsistency consistency(Args args) {
    return args.enumOption("consistency", ReadConsistency.class, ReadConsistency.LINEARIZABLE);
  }

  /**
   * Runs {@code parse}, turning the argument errors it throws into usage errors naming {@code
   * name}.
   */
  private static <T> T option(String name, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new UsageException("option --" + name + ": " + e.getMessage());
    }
  }

  private static void expect(String command, List<String> params, int count, String names) {
    if (params.size() != count) {
      throw new UsageException(
          "'"
              + command
              + "' takes "
              + (count == 0 ? "no arguments" : count + " argument(s): " + names)
              + ", got "
              + params.size());
    }
  }

  private static Set<String> union(Set<String> base, String... more) {
    Set<String> all = new HashSet<>(base);
    all.addAll(List.of(more));
    return all;
  }
}
