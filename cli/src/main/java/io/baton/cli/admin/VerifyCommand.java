package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.VerifyResult;
import io.baton.cli.BatonCommandLine;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/**
 * {@code baton admin verify}: compares every replica's state digest at one log index; exit 1 if
 * they diverged.
 */
@Command(
    name = "verify",
    description = "Compares every replica's state digest at one log index (exit 1 if they differ).")
public final class VerifyCommand extends AdminSubcommand {
  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    VerifyResult r = admin.verify();
    r.digests().forEach((id, d) -> out.println(id + "  " + d));
    r.unreachable().forEach(id -> out.println(id + "  (no answer: not checked)"));
    if (!r.consistent()) {
      out.println("DIVERGED at log index " + r.index() + ": " + String.join(", ", r.divergent()));
      return BatonCommandLine.FAILED;
    }
    out.println("consistent at log index " + r.index());
    return BatonCommandLine.OK;
  }
}
