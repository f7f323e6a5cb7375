package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.cli.BatonCommandLine;
import io.baton.cli.ClusterOptions;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options every {@code baton admin} operation takes besides the cluster's: how long a change
 * may take and who acts.
 */
public final class AdminOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec spec;

  private long timeoutSeconds = 300;

  @Option(
      names = "--actor",
      paramLabel = "NAME",
      description = "who acts, for the audit record (default user@host)")
  private String actor;

  @Option(
      names = "--timeout-seconds",
      paramLabel = "N",
      defaultValue = "300",
      description = "how long a change may take, 1-86400 (default ${DEFAULT-VALUE})")
  void timeoutSeconds(long seconds) {
    timeoutSeconds = BatonCommandLine.checkRange(spec, "--timeout-seconds", seconds, 1, 86_400);
  }

  /** Connects to the cluster {@code cluster} names; progress lines go to {@code out}. */
  BatonAdmin connect(ClusterOptions cluster, PrintWriter out) {
    BatonAdmin.Builder builder =
        BatonAdmin.newBuilder()
            .peers(cluster.peers())
            .operationTimeout(Duration.ofSeconds(timeoutSeconds))
            .progress(line -> out.println("  " + line));
    cluster.applyClusterName(builder::clusterName);
    if (actor != null) {
      builder.actor(actor);
    }
    return builder.build();
  }
}
