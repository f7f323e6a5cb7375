package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.Peer;
import io.baton.cli.BatonCommandLine;
import io.baton.cli.PeerConverter;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code baton admin replace OLD NEW=HOST:PORT}: replaces a voter by a joining node. */
@Command(
    name = "replace",
    description = "Replaces voter OLD (e.g. dead) by a node started with 'baton node --join'.")
public final class ReplaceCommand extends AdminSubcommand {
  @Parameters(index = "0", paramLabel = "OLD")
  String old;

  @Parameters(index = "1", paramLabel = "NEW=HOST:PORT", converter = PeerConverter.class)
  Peer replacement;

  @Mixin NewNodeOptions newNode;

  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    Peer p = newNode.apply(replacement);
    admin.replaceNode(old, p);
    out.println("replaced " + old + " by " + p.id());
    return BatonCommandLine.OK;
  }
}
