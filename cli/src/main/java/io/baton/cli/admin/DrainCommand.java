package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.cli.BatonCommandLine;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code baton admin drain ID}: maintenance; the node keeps replicating but never leads. */
@Command(name = "drain", description = "Moves leadership off ID and keeps it from leading.")
public final class DrainCommand extends AdminSubcommand {
  @Parameters(paramLabel = "ID")
  String id;

  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    admin.drain(id);
    out.println(id + " is drained");
    return BatonCommandLine.OK;
  }
}
