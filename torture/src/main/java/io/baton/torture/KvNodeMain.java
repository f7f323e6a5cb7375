package io.baton.torture;

import io.baton.cli.BatonCommandLine;
import io.baton.cli.BatonVersion;
import io.baton.cli.NodeApp;
import io.baton.examples.kv.KvStateMachine;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The main class of the harness's node JVMs: the operator command line ({@code node ...}, {@code
 * admin ...}) with the kv example, the torture workload's application, as its one app.
 */
@Command(
    name = "baton",
    mixinStandardHelpOptions = true,
    versionProvider = BatonVersion.class,
    scope = ScopeType.INHERIT)
public final class KvNodeMain {
  // Ratis's relocated gRPC logs through java.util.logging; held so the level is not collected.
  private static final Logger GRPC_LOG = Logger.getLogger("org.apache.ratis.thirdparty.io.grpc");

  private KvNodeMain() {}

  public static void main(String[] args) {
    GRPC_LOG.setLevel(Level.WARNING);
    System.exit(
        BatonCommandLine.create(
                new KvNodeMain(),
                Map.of("kv", NodeApp.of(KvStateMachine::new)),
                List.of(),
                System.out,
                System.err)
            .execute(args));
  }
}
