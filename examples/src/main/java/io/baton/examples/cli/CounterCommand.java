package io.baton.examples.cli;

import io.baton.BatonClient;
import io.baton.cli.BatonCommandLine;
import io.baton.cli.ClientOptions;
import io.baton.statemachine.Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton counter}: adds to and reads the counter example on a running counter cluster. */
@Command(name = "counter", description = "Adds to and reads a counter.")
final class CounterCommand {
  @Spec private CommandSpec spec;

  @Command(name = "add", description = "Adds N (may be negative) and prints the new value.")
  int add(@Parameters(paramLabel = "N") long delta, @Mixin ClientOptions client) {
    try (BatonClient c = client.newClient()) {
      print(c.submit(Keys.longBytes(delta)));
    }
    return BatonCommandLine.OK;
  }

  @Command(name = "get", description = "Prints the value.")
  int get(@Mixin ConsistencyOption consistency, @Mixin ClientOptions client) {
    try (BatonClient c = client.newClient()) {
      print(c.query(new byte[0], consistency.consistency));
    }
    return BatonCommandLine.OK;
  }

  private void print(byte[] value) {
    spec.commandLine().getOut().println(Keys.toLong(value));
  }
}
