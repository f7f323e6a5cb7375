package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.ClusterStatus;
import io.baton.cli.BatonCommandLine;
import io.baton.cli.StatusFormat;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code baton admin status [--json]}: every member's role and progress, and the configuration. */
@Command(
    name = "status",
    description =
        "Every member: role, priority, term, commit/applied index, lag, last contact, snapshot;"
            + " then the configuration.")
public final class StatusCommand extends AdminSubcommand {
  @Option(names = "--json", description = "print JSON, for scripts")
  boolean json;

  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    ClusterStatus s = admin.status();
    out.print(json ? StatusFormat.json(s) + "\n" : StatusFormat.table(s));
    out.flush();
    return BatonCommandLine.OK;
  }
}
