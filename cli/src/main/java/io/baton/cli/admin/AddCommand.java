package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.Peer;
import io.baton.cli.BatonCommandLine;
import io.baton.cli.PeerConverter;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code baton admin add ID=HOST:PORT}: adds a voter (hot standby). */
@Command(
    name = "add",
    description =
        "Adds a voter (hot standby); start it first with 'baton node --join'. Returns once it"
            + " caught up.")
public final class AddCommand extends AdminSubcommand {
  @Parameters(paramLabel = "ID=HOST:PORT", converter = PeerConverter.class)
  Peer node;

  @Mixin NewNodeOptions newNode;

  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    Peer p = newNode.apply(node);
    admin.addNode(p);
    out.println("added " + p.id() + " as a voter");
    return BatonCommandLine.OK;
  }
}
