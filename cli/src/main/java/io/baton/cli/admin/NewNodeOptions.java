package io.baton.cli.admin;

import io.baton.Peer;
import io.baton.cli.BatonCommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --priority N} of the operations that bring in a node: add, add-listener and replace. */
final class NewNodeOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec spec;

  private int priority;

  @Option(
      names = "--priority",
      paramLabel = "N",
      description =
          "the new node's leader priority, 0 or more (default 0, or the one in its address)")
  void priority(long value) {
    priority = (int) BatonCommandLine.checkRange(spec, "--priority", value, 0, Integer.MAX_VALUE);
  }

  /** {@code node} with the priority {@code --priority} gives it, if given. */
  Peer apply(Peer node) {
    return priority == 0 ? node : node.withPriority(priority);
  }
}
