package io.baton.benchmarks.support;

import io.baton.cli.BatonCommandLine;
import io.baton.cli.BatonVersion;
import io.baton.cli.NodeApp;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The launcher of the benchmarks' node processes: Baton's operator command line ({@code node},
 * {@code admin}) with one application, {@code --app bench}, the {@link BenchStateMachine} the
 * in-process benchmarks replicate. {@code java -cp benchmarks.jar
 * io.baton.benchmarks.support.BenchNodeMain node --id n1 --peers ... --data ... --app bench} runs a
 * node exactly as {@code baton node} does.
 */
@Command(
    name = "bench-node",
    mixinStandardHelpOptions = true,
    versionProvider = BatonVersion.class,
    scope = ScopeType.INHERIT,
    description = "Baton's node and admin commands with the benchmark state machine (--app bench).")
public final class BenchNodeMain {
  /** The application name of {@link BenchStateMachine}. */
  public static final String APP = "bench";

  private BenchNodeMain() {}

  /** Runs the command line {@code args} and exits with its status. */
  public static void main(String[] args) {
    System.exit(
        BatonCommandLine.create(
                new BenchNodeMain(),
                Map.of(APP, NodeApp.of(BenchStateMachine::new)),
                List.of(),
                System.out,
                System.err)
            .execute(args));
  }
}
