package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.cli.BatonCommandLine;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code baton admin priority ID N}: sets a node's leader priority. */
@Command(
    name = "priority",
    description = "Sets ID's leader priority (the highest is preferred for leadership).")
public final class PriorityCommand extends AdminSubcommand {
  @Parameters(index = "0", paramLabel = "ID")
  String id;

  @Parameters(index = "1", paramLabel = "N")
  int priority;

  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    admin.setPriority(id, priority);
    out.println(id + " has priority " + priority);
    return BatonCommandLine.OK;
  }
}
