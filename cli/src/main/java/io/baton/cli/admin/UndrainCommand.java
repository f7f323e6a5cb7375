package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.cli.BatonCommandLine;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code baton admin undrain ID}: lets a drained node lead again. */
@Command(name = "undrain", description = "Lets ID lead again.")
public final class UndrainCommand extends AdminSubcommand {
  @Parameters(paramLabel = "ID")
  String id;

  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    admin.undrain(id);
    out.println(id + " is undrained");
    return BatonCommandLine.OK;
  }
}
