package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.OperationRefusedException;
import io.baton.cli.BatonCommandLine;
import io.baton.cli.ClusterOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every {@code baton admin} operation does around its own call: connect with the shared
 * options, and report a refused change as {@code refused, nothing changed: <why>} with exit 1.
 */
abstract class AdminSubcommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Mixin AdminOptions options;

  @Override
  public final Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (BatonAdmin admin = options.connect(cluster, out)) {
      return run(admin, out);
    } catch (OperationRefusedException e) {
      out.println("refused, nothing changed: " + e.getMessage());
      return BatonCommandLine.FAILED;
    }
  }

  /**
   * Runs the operation on {@code admin}, printing its outcome to {@code out}.
   *
   * @return the exit status
   */
  abstract int run(BatonAdmin admin, PrintWriter out);
}
