package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.cli.BatonCommandLine;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code baton admin transfer [ID]}: a planned switchover. */
@Command(name = "transfer", description = "Moves leadership to ID, or to the best candidate.")
public final class TransferCommand extends AdminSubcommand {
  @Parameters(paramLabel = "ID", arity = "0..1")
  String target;

  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    String leader = target == null ? admin.transferLeadership() : admin.transferLeadership(target);
    out.println(leader + " leads");
    return BatonCommandLine.OK;
  }
}
