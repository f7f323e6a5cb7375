package io.baton.examples.cli;

import io.baton.ReadConsistency;
import picocli.CommandLine.Option;

/** {@code --consistency} of the example commands' reads: how fresh the answer must be. */
final class ConsistencyOption {
  @Option(
      names = "--consistency",
      paramLabel = "linearizable|follower|stale",
      defaultValue = "LINEARIZABLE",
      description = "how fresh the read must be (default linearizable)")
  ReadConsistency consistency;
}
