package io.baton.cli;

import io.baton.cli.admin.AddCommand;
import io.baton.cli.admin.AddListenerCommand;
import io.baton.cli.admin.DemoteCommand;
import io.baton.cli.admin.DrainCommand;
import io.baton.cli.admin.FailbackCommand;
import io.baton.cli.admin.PriorityCommand;
import io.baton.cli.admin.PromoteCommand;
import io.baton.cli.admin.RemoveCommand;
import io.baton.cli.admin.ReplaceCommand;
import io.baton.cli.admin.StatusCommand;
import io.baton.cli.admin.TransferCommand;
import io.baton.cli.admin.UndrainCommand;
import io.baton.cli.admin.VerifyCommand;
import picocli.CommandLine.Command;

/**
 * {@code baton admin}: the operations on a running cluster, one subcommand each (see {@code
 * io.baton.cli.admin}). On its own it is only a group; picocli reports a missing operation.
 */
@Command(
    name = "admin",
    description = {
      "Status, add/remove/replace nodes, switchover, drain, failback, verify.",
      "Operates a running cluster. --peers needs to name only some current members. Each change"
          + " is one membership change at a time, refused with a reason (exit 1) if it would lose"
          + " quorum or another change is running, and recorded in the leader's log."
    },
    footer = {
      "%nExample:",
      "  P=n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103",
      "  baton node --id n4 --join --data ./data/n4 --app kv \\",
      "      --peers $P,n4=127.0.0.1:7104",
      "  baton admin add n4=127.0.0.1:7104 --peers $P",
      "%nExit status: 0 done, 1 refused or failed, 2 bad usage."
    },
    subcommands = {
      StatusCommand.class,
      AddCommand.class,
      AddListenerCommand.class,
      PromoteCommand.class,
      DemoteCommand.class,
      RemoveCommand.class,
      ReplaceCommand.class,
      TransferCommand.class,
      DrainCommand.class,
      UndrainCommand.class,
      PriorityCommand.class,
      FailbackCommand.class,
      VerifyCommand.class
    })
public final class AdminCommand {}
