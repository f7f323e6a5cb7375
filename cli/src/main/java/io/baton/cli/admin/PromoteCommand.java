package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.cli.BatonCommandLine;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code baton admin promote ID}: makes a listener a voter. */
@Command(name = "promote", description = "Makes a listener a voter, once it has caught up.")
public final class PromoteCommand extends AdminSubcommand {
  @Parameters(paramLabel = "ID")
  String id;

  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    admin.promote(id);
    out.println(id + " is a voter");
    return BatonCommandLine.OK;
  }
}
