package io.baton.examples.cli;

import io.baton.BatonAdmin;
import io.baton.ClusterStatus;
import io.baton.OperationRefusedException;
import io.baton.Peer;
import io.baton.VerifyResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** {@code baton admin ...}: operates a running cluster through {@link BatonAdmin}. */
final class AdminCli {
  static final String HELP =
      "usage: baton admin <operation> [arguments] --peers ID=HOST:PORT,... [options]\n"
          + "\n"
          + "Operates a running cluster. --peers needs to name only some current members.\n"
          + "Each change is one membership change at a time, refused with a reason (exit 1) if it\n"
          + "would lose quorum or another change is running, and recorded in the leader's log.\n"
          + "\n"
          + "operations:\n"
          + "  status [--json]            every member: role, priority, term, commit/applied\n"
          + "                             index, lag, last contact, snapshot; the configuration\n"
          + "  add ID=HOST:PORT           add a voter (hot standby); start it first with\n"
          + "                             'baton node --join'; returns once it caught up\n"
          + "  add-listener ID=HOST:PORT  add a non-voting listener (warm standby)\n"
          + "  promote ID                 make a listener a voter\n"
          + "  demote ID                  make a voter a listener\n"
          + "  remove ID...               remove members (refused if quorum would be lost)\n"
          + "  replace OLD NEW=HOST:PORT  replace voter OLD (e.g. dead) by a joining node\n"
          + "  transfer [ID]              move leadership to ID, or to the best candidate\n"
          + "  drain ID                   move leadership off ID and keep it from leading\n"
          + "  undrain ID                 let ID lead again\n"
          + "  priority ID N              set ID's leader priority (highest is preferred)\n"
          + "  failback [on|off]          move leadership to the preferred node now, or turn\n"
          + "                             automatic failback on or off\n"
          + "  verify                     compare every replica's state digest at one log index\n"
          + "\n"
          + "options:\n"
          + "  --peers ID=HOST:PORT,...   some current members (required)\n"
          + "  --cluster NAME             the cluster's name (default baton)\n"
          + "  --timeout-seconds N        how long a change may take (default 300)\n"
          + "  --priority N               for add/add-listener/replace: the new node's priority\n"
          + "  --force                    for remove: allow losing quorum\n"
          + "  --json                     for status: print JSON\n"
          + "  --actor NAME               who acts, for the audit record (default user@host)\n"
          + "\n"
          + "example:\n"
          + "  baton node --id n4 --join --peers n1=127.0.0.1:7101,n2=127.0.0.1:7102,"
          + "n3=127.0.0.1:7103,n4=127.0.0.1:7104 --data ./data/n4 --app kv\n"
          + "  baton admin add n4=127.0.0.1:7104 --peers n1=127.0.0.1:7101\n";

  private final PrintStream out;

  AdminCli(PrintStream out) {
    this.out = out;
  }

  int run(List<String> argv) {
    Args args =
        Args.parse(
            "admin",
            argv,
            Set.of("peers", "cluster", "timeout-seconds", "priority", "actor"),
            Set.of("force", "json"));
    if (args.help()) {
      out.print(HELP);
      return BatonCli.OK;
    }
    List<String> params = args.positional(1, 10, "OPERATION [ARGUMENTS]");
    String op = params.get(0);
    List<String> rest = params.subList(1, params.size());
    String peersText = args.required("peers");
    List<Peer> peers = parse("peers", () -> Peer.parseList(peersText));
    long timeout = args.longOption("timeout-seconds", 300, 1, 86_400);
    BatonAdmin.Builder builder =
        BatonAdmin.newBuilder()
            .peers(peers)
            .operationTimeout(Duration.ofSeconds(timeout))
            .progress(line -> out.println("  " + line));
    args.option("cluster").ifPresent(c -> parse("cluster", () -> builder.clusterName(c)));
    args.option("actor").ifPresent(a -> builder.actor(a));
    int priority = (int) args.longOption("priority", 0, 0, Integer.MAX_VALUE);
    try (BatonAdmin admin = builder.build()) {
      switch (op) {
        case "status" -> {
          expect(op, rest, 0, "");
          ClusterStatus s = admin.status();
          out.print(args.flag("json") ? s.toJson() + "\n" : s.toTable());
        }
        case "add" -> {
          expect(op, rest, 1, "ID=HOST:PORT");
          Peer p = peer(rest.get(0), priority);
          admin.addNode(p);
          out.println("added " + p.id() + " as a voter");
        }
        case "add-listener" -> {
          expect(op, rest, 1, "ID=HOST:PORT");
          Peer p = peer(rest.get(0), priority);
          admin.addListener(p);
          out.println("added " + p.id() + " as a listener");
        }
        case "promote" -> {
          expect(op, rest, 1, "ID");
          admin.promote(rest.get(0));
          out.println(rest.get(0) + " is a voter");
        }
        case "demote" -> {
          expect(op, rest, 1, "ID");
          admin.demote(rest.get(0));
          out.println(rest.get(0) + " is a listener");
        }
        case "remove" -> {
          if (rest.isEmpty()) {
            throw new UsageException("'remove' takes one or more node ids");
          }
          admin.removeNodes(rest, args.flag("force"));
          out.println("removed " + String.join(", ", rest));
        }
        case "replace" -> {
          expect(op, rest, 2, "OLD NEW=HOST:PORT");
          Peer p = peer(rest.get(1), priority);
          admin.replaceNode(rest.get(0), p);
          out.println("replaced " + rest.get(0) + " by " + p.id());
        }
        case "transfer" -> {
          if (rest.size() > 1) {
            throw new UsageException("'transfer' takes at most one node id");
          }
          String leader =
              rest.isEmpty() ? admin.transferLeadership() : admin.transferLeadership(rest.get(0));
          out.println(leader + " leads");
        }
        case "drain" -> {
          expect(op, rest, 1, "ID");
          admin.drain(rest.get(0));
          out.println(rest.get(0) + " is drained");
        }
        case "undrain" -> {
          expect(op, rest, 1, "ID");
          admin.undrain(rest.get(0));
          out.println(rest.get(0) + " is undrained");
        }
        case "priority" -> {
          expect(op, rest, 2, "ID N");
          int p = (int) Args.wholeNumber("priority", rest.get(1));
          admin.setPriority(rest.get(0), p);
          out.println(rest.get(0) + " has priority " + p);
        }
        case "failback" -> {
          if (rest.isEmpty()) {
            out.println(admin.failback() + " leads");
          } else if (rest.size() == 1 && (rest.get(0).equals("on") || rest.get(0).equals("off"))) {
            admin.setAutoFailback(rest.get(0).equals("on"));
            out.println("automatic failback is " + rest.get(0));
          } else {
            throw new UsageException("'failback' takes nothing, 'on' or 'off'");
          }
        }
        case "verify" -> {
          expect(op, rest, 0, "");
          VerifyResult r = admin.verify();
          r.digests().forEach((id, d) -> out.println(id + "  " + d));
          r.unreachable().forEach(id -> out.println(id + "  (no answer: not checked)"));
          if (!r.consistent()) {
            out.println(
                "DIVERGED at log index " + r.index() + ": " + String.join(", ", r.divergent()));
            return BatonCli.FAILED;
          }
          out.println("consistent at log index " + r.index());
        }
        default -> throw new UsageException("unknown admin operation '" + op + "'");
      }
      return BatonCli.OK;
    } catch (OperationRefusedException e) {
      out.println("refused, nothing changed: " + e.getMessage());
      return BatonCli.FAILED;
    }
  }

  private static Peer peer(String text, int priority) {
    Peer p = parse("node", () -> Peer.parse(text));
    return priority == 0 ? p : p.withPriority(priority);
  }

  private static <T> T parse(String name, java.util.function.Supplier<T> f) {
    try {
      return f.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new UsageException(name + ": " + e.getMessage());
    }
  }

  private static void expect(String op, List<String> params, int count, String names) {
    if (params.size() != count) {
      throw new UsageException(
          "'"
              + op
              + "' takes "
              + (count == 0 ? "no arguments" : count + " argument(s): " + names)
              + ", got "
              + params.size());
    }
  }
}
