package io.baton.examples.cli;

import io.baton.FailureDetection;
import io.baton.cli.BatonCommandLine;
import io.baton.examples.demo.FailoverDemo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code baton demo}: the failover demo ({@link FailoverDemo}) with the options it takes. */
@Command(
    name = "demo",
    sortOptions = false,
    description = {
      "Three nodes in this process: kill the leader, measure, verify.",
      "Starts three kv nodes in this process, writes continuously, kills the leader abruptly"
          + " half-way through, and reports who took over, how long writes were unavailable, and"
          + " whether every acknowledged write survived on every replica; then restarts the"
          + " killed node and shows it catching up. Exits 0 if every check passed."
    })
final class DemoCommand implements Callable<Integer> {
  private final PrintStream out;

  @Spec private CommandSpec spec;

  @Option(
      names = "--profile",
      paramLabel = "FAST|DEFAULT|WAN",
      defaultValue = "DEFAULT",
      description = "failure detection (default ${DEFAULT-VALUE})")
  private FailureDetection profile;

  private long seconds = 4;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "an empty or new directory for the nodes' data (default: a temporary one, deleted if"
              + " the demo passes)")
  private Path data;

  /** The demo, telling its story on {@code out}. */
  DemoCommand(PrintStream out) {
    this.out = out;
  }

  @Option(
      names = "--duration-seconds",
      paramLabel = "N",
      description = "how long the client writes, 1-3600 (default 4)")
  void durationSeconds(long n) {
    seconds = BatonCommandLine.checkRange(spec, "--duration-seconds", n, 1, 3600);
  }

  @Override
  public Integer call() {
    if (data != null && Files.exists(data) && !isEmptyDirectory(data)) {
      throw new ParameterException(
          spec.commandLine(), "option --data: " + data + " must be an empty directory or absent");
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
}
