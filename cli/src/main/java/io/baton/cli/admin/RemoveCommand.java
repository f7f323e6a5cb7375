package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.cli.BatonCommandLine;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code baton admin remove ID... [--force]}: removes members in one change. */
@Command(
    name = "remove",
    description = "Removes members in one change (refused if quorum would be lost).")
public final class RemoveCommand extends AdminSubcommand {
  @Parameters(paramLabel = "ID", arity = "1..*")
  List<String> ids;

  @Option(names = "--force", description = "allow losing quorum")
  boolean force;

  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    admin.removeNodes(ids, force);
    out.println("removed " + String.join(", ", ids));
    return BatonCommandLine.OK;
  }
}
