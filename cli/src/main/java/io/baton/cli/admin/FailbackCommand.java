package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.cli.BatonCommandLine;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code baton admin failback [on|off]}: manual failback, or automatic failback on or off. */
@Command(
    name = "failback",
    description = {
      "Moves leadership to the preferred node now, or turns automatic failback on or off."
    })
public final class FailbackCommand extends AdminSubcommand {
  /** The argument of {@code failback}. */
  enum Switch {
    ON,
    OFF
  }

  @Parameters(paramLabel = "on|off", arity = "0..1")
  Switch automatic;

  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    if (automatic == null) {
      out.println(admin.failback() + " leads");
    } else {
      admin.setAutoFailback(automatic == Switch.ON);
      out.println("automatic failback is " + automatic.name().toLowerCase(Locale.ROOT));
    }
    return BatonCommandLine.OK;
  }
}
