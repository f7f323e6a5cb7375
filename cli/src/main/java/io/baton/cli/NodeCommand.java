package io.baton.cli;

import io.baton.BatonNode;
import io.baton.FailureDetection;
import io.baton.NodeConfig;
import io.baton.SnapshotPolicy;
import io.baton.statemachine.RoleChange;
import io.baton.statemachine.RoleListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code baton node}: runs one node of a cluster, replicating the application chosen with {@code
 * --app} from those the launcher registered, until the JVM is asked to stop (SIGTERM, SIGINT); then
 * closes it gracefully, so that a leader hands leadership to a follower first.
 */
@Command(
    name = "node",
    sortOptions = false,
    description = {
      "Runs one node of a cluster (kv, counter, fleet...).",
      "Runs until SIGTERM or SIGINT (Ctrl-C), then stops gracefully: a leader hands leadership"
          + " to a follower first. Prints a line at each role change. Start every node of the"
          + " cluster with the same --peers, --app and --cluster."
    },
    footer = {
      "%nExample:",
      "  baton node --id n1 --peers n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103 \\",
      "             --data ./data/n1 --app kv"
    })
public final class NodeCommand implements Callable<Integer> {
  private final Map<String, NodeApp> apps;

  @Spec private CommandSpec spec;

  @Option(
      names = "--id",
      required = true,
      paramLabel = "ID",
      description = "this node's id, one of the ids in --peers (required)")
  private String id;

  @Mixin private ClusterOptions cluster;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR",
      description = "this node's data directory (required)")
  private Path data;

  @Option(
      names = "--app",
      required = true,
      paramLabel = "APP",
      description = "the application to replicate, one of those listed below (required)")
  private String app;

  @Option(
      names = "--profile",
      paramLabel = "FAST|DEFAULT|WAN",
      defaultValue = "DEFAULT",
      description =
          "failure detection: election timeout 50-100 ms, 150-300 ms or 1-2 s"
              + " (default ${DEFAULT-VALUE})")
  private FailureDetection profile;

  private long snapshotEvery = SnapshotPolicy.DEFAULT.everyEntries();

  @Option(
      names = "--join",
      description =
          "start outside the cluster, as a standby that waits to be added with 'baton admin"
              + " add' (or add-listener); --peers then lists the current members and this node")
  private boolean join;

  /** A node command that can run any of {@code apps}, by name. */
  public NodeCommand(Map<String, NodeApp> apps) {
    this.apps = Map.copyOf(apps);
  }

  @Option(
      names = "--snapshot-every",
      paramLabel = "N",
      description = "snapshot after N applied entries (default 100000)")
  void snapshotEvery(long entries) {
    snapshotEvery =
        BatonCommandLine.checkRange(spec, "--snapshot-every", entries, 1, Long.MAX_VALUE);
  }

  @Override
  public Integer call() {
    NodeApp chosen = apps.get(app);
    if (chosen == null) {
      throw new ParameterException(
          spec.commandLine(),
          "option --app: '"
              + app
              + "' is not one of "
              + String.join(", ", new TreeSet<>(apps.keySet())));
    }
    NodeConfig.Builder builder =
        NodeConfig.newBuilder()
            .id(id)
            .peers(cluster.peers())
            .dataDir(data)
            .join(join)
            .failureDetection(profile)
            .snapshotPolicy(SnapshotPolicy.everyEntries(snapshotEvery));
    cluster.applyClusterName(builder::clusterName);
    NodeConfig config;
    try {
      config = builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      // NodeConfig's messages name the fields that conflict, such as an id missing from peers.
      throw new ParameterException(
          spec.commandLine(), "invalid node configuration: " + e.getMessage());
    }
    return run(config, chosen.create(config));
  }

  private int run(NodeConfig config, NodeApp.Instance instance) {
    PrintWriter out = spec.commandLine().getOut();
    out.println("node " + config.id() + ": " + config);
    BatonNode.Builder builder =
        BatonNode.newBuilder()
            .config(config)
            .stateMachine(instance.stateMachine())
            .addRoleListener(change -> printRole(out, config.id(), change));
    for (RoleListener listener : instance.roleListeners()) {
      builder.addRoleListener(listener);
    }
    BatonNode node;
    try {
      node = builder.start();
    } catch (RuntimeException e) {
      closeResources(instance, e);
      throw e;
    }
    out.printf(
        "node %s started (app %s, cluster %s, listening on %s, data %s); stop with Ctrl-C%n",
        config.id(), app, config.clusterName(), config.self().address(), config.dataDir());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("node " + config.id() + " stopping (a leader hands over first)");
                  node.close();
                  closeResources(instance, null);
                  out.println("node " + config.id() + " stopped");
                  stopped.countDown();
                },
                "baton-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return BatonCommandLine.OK;
  }

  private static void closeResources(NodeApp.Instance instance, RuntimeException failure) {
    try {
      instance.resources().close();
    } catch (Exception e) {
      if (failure == null) {
        throw new IllegalStateException("closing the application's resources failed", e);
      }
      failure.addSuppressed(e);
    }
  }

  private static void printRole(PrintWriter out, String id, RoleChange change) {
    out.printf(
        "%s node %s is now %s (term %d%s)%n",
        LocalTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.MILLIS),
        id,
        change.role(),
        change.term(),
        change.leaderId().map(l -> ", leader " + l).orElse(", no leader known"));
  }
}
