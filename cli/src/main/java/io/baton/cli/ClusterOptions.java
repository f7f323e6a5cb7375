package io.baton.cli;

import io.baton.Peer;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options that name a cluster, shared by every command: {@code --peers} and {@code --cluster}.
 */
public final class ClusterOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec spec;

  private List<Peer> peers = List.of();

  @Option(
      names = "--cluster",
      paramLabel = "NAME",
      description = "the cluster's name (default baton)")
  private String clusterName;

  @Option(
      names = "--peers",
      required = true,
      paramLabel = "ID=HOST:PORT,...",
      description = "the cluster's nodes (required); admin needs only some current members")
  void peers(String text) {
    peers = BatonCommandLine.checkOption(spec, "--peers", () -> Peer.parseList(text));
  }

  /** The nodes {@code --peers} names. */
  public List<Peer> peers() {
    return peers;
  }

  /** {@code --cluster}, if given. */
  public Optional<String> clusterName() {
    return Optional.ofNullable(clusterName);
  }

  /**
   * Passes {@code --cluster}, if given, to {@code setter} (a builder's), turning its complaint
   * about the name into a usage error.
   */
  public void applyClusterName(java.util.function.Consumer<String> setter) {
    clusterName()
        .ifPresent(
            name ->
                BatonCommandLine.checkOption(
                    spec,
                    "--cluster",
                    () -> {
                      setter.accept(name);
                      return name;
                    }));
  }
}
