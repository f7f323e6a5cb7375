package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.cli.BatonCommandLine;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code baton admin demote ID}: makes a voter a listener. */
@Command(
    name = "demote",
    description = "Makes a voter a listener (leadership is handed over first if it leads).")
public final class DemoteCommand extends AdminSubcommand {
  @Parameters(paramLabel = "ID")
  String id;

  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    admin.demote(id);
    out.println(id + " is a listener");
    return BatonCommandLine.OK;
  }
}
