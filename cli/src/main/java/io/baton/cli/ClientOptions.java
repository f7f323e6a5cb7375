package io.baton.cli;

import io.baton.BatonClient;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of a command that talks to a cluster through a {@link BatonClient}: the cluster
 * ({@code --peers}, {@code --cluster}) and {@code --timeout-seconds}.
 */
public final class ClientOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec spec;

  @Mixin private ClusterOptions cluster;

  private long timeoutSeconds = 10;

  @Option(
      names = "--timeout-seconds",
      paramLabel = "N",
      defaultValue = "10",
      description = "how long to wait for the cluster, 1-3600 (default ${DEFAULT-VALUE})")
  void timeoutSeconds(long seconds) {
    timeoutSeconds = BatonCommandLine.checkRange(spec, "--timeout-seconds", seconds, 1, 3600);
  }

  /** A client of the cluster these options name. The caller closes it. */
  public BatonClient newClient() {
    BatonClient.Builder builder =
        BatonClient.newBuilder()
            .peers(cluster.peers())
            .requestTimeout(Duration.ofSeconds(timeoutSeconds));
    cluster.applyClusterName(builder::clusterName);
    return builder.build();
  }
}
