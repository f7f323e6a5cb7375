package io.baton.examples.cli;

import io.baton.BatonClient;
import io.baton.cli.BatonCommandLine;
import io.baton.cli.ClientOptions;
import io.baton.examples.kv.KvClient;
import io.baton.examples.kv.KvStateMachine;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton kv}: the operations of the kv example on a running kv cluster, one subcommand each.
 * A key that is not found, or a compare-and-set that did not match, is an answer (exit 0).
 */
@Command(name = "kv", description = "Puts, gets, deletes, compare-and-sets, counts and scans keys.")
final class KvCommand {
  @Spec private CommandSpec spec;

  @Command(name = "put", description = "Sets KEY to VALUE.")
  int put(
      @Parameters(paramLabel = "KEY") String key,
      @Parameters(paramLabel = "VALUE") String value,
      @Mixin ClientOptions client) {
    return with(
        client,
        kv -> {
          kv.put(key, value);
          return "ok";
        });
  }

  @Command(name = "get", description = "Prints KEY's value, or (not found).")
  int get(
      @Parameters(paramLabel = "KEY") String key,
      @Mixin ConsistencyOption consistency,
      @Mixin ClientOptions client) {
    return with(client, kv -> kv.get(key, consistency.consistency).orElse("(not found)"));
  }

  @Command(name = "delete", description = "Removes KEY.")
  int delete(@Parameters(paramLabel = "KEY") String key, @Mixin ClientOptions client) {
    return with(client, kv -> kv.delete(key) ? "deleted" : "(not found)");
  }

  @Command(
      name = "cas",
      description =
          "Sets KEY to NEW if it holds EXPECTED (KEY EXPECTED NEW), or if it does not exist"
              + " (KEY NEW --absent).")
  int cas(
      @Parameters(paramLabel = "KEY") String key,
      @Parameters(paramLabel = "[EXPECTED] NEW", arity = "1..2") List<String> values,
      @Option(names = "--absent", description = "set only if KEY does not exist") boolean absent,
      @Mixin ClientOptions client) {
    if (values.size() != (absent ? 1 : 2)) {
      throw new ParameterException(
          spec.subcommands().get("cas"),
          "'kv cas' takes KEY EXPECTED NEW, or KEY NEW with --absent; got "
              + (values.size() + 1)
              + " arguments");
    }
    String expected = absent ? null : values.get(0);
    String replacement = values.get(values.size() - 1);
    return with(
        client,
        kv -> {
          if (kv.compareAndSet(key, expected, replacement)) {
            return "ok";
          }
          return absent
              ? "not set: " + key + " exists"
              : "not set: " + key + " does not hold '" + expected + "'";
        });
  }

  @Command(name = "count", description = "Prints the number of keys.")
  int count(@Mixin ClientOptions client) {
    return with(client, kv -> Long.toString(kv.count()));
  }

  @Command(name = "scan", description = "Prints the keys starting with PREFIX, in order.")
  int scan(
      @Parameters(paramLabel = "PREFIX", arity = "0..1", defaultValue = "") String prefix,
      @Option(
              names = "--limit",
              paramLabel = "N",
              defaultValue = "100",
              description = "the most entries to print, 1-10000 (default ${DEFAULT-VALUE})")
          long limit,
      @Mixin ClientOptions client) {
    BatonCommandLine.checkRange(
        spec.subcommands().get("scan").getCommandSpec(),
        "--limit",
        limit,
        1,
        KvStateMachine.MAX_SCAN_LIMIT);
    PrintWriter out = spec.commandLine().getOut();
    try (BatonClient c = client.newClient()) {
      new KvClient(c).scan(prefix, (int) limit).forEach((k, v) -> out.println(k + "\t" + v));
    }
    return BatonCommandLine.OK;
  }

  private int with(ClientOptions client, Function<KvClient, String> operation) {
    try (BatonClient c = client.newClient()) {
      spec.commandLine().getOut().println(operation.apply(new KvClient(c)));
    }
    return BatonCommandLine.OK;
  }
}
