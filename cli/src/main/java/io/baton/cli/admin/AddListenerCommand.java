package io.baton.cli.admin;

import io.baton.BatonAdmin;
import io.baton.Peer;
import io.baton.cli.BatonCommandLine;
import io.baton.cli.PeerConverter;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code baton admin add-listener ID=HOST:PORT}: adds a non-voting listener (warm standby). */
@Command(
    name = "add-listener",
    description = "Adds a non-voting listener (warm standby), started with 'baton node --join'.")
public final class AddListenerCommand extends AdminSubcommand {
  @Parameters(paramLabel = "ID=HOST:PORT", converter = PeerConverter.class)
  Peer node;

  @Mixin NewNodeOptions newNode;

  @Override
  int run(BatonAdmin admin, PrintWriter out) {
    Peer p = newNode.apply(node);
    admin.addListener(p);
    out.println("added " + p.id() + " as a listener");
    return BatonCommandLine.OK;
  }
}
