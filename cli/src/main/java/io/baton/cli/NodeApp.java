package io.baton.cli;

import io.baton.NodeConfig;
import io.baton.statemachine.RoleListener;
import io.baton.statemachine.StateMachine;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * An application that {@code baton node --app NAME} can run: makes the state machine for one node,
 * and whatever runs beside it on that node (role listeners for leader-only duties, and the
 * resources they hold). The launcher gives {@link NodeCommand} a map of names to apps.
 */
@FunctionalInterface
public interface NodeApp {
  /** Creates this application's part of the node configured by {@code config}. */
  Instance create(NodeConfig config);

  /** An app that is only a state machine, made by {@code stateMachine}. */
  static NodeApp of(Supplier<? extends StateMachine> stateMachine) {
    Objects.requireNonNull(stateMachine, "stateMachine");
    return config -> new Instance(stateMachine.get(), List.of(), () -> {});
  }

  /**
   * One node's application.
   *
   * @param stateMachine the state machine the node replicates
   * @param roleListeners listeners added to the node, after the one that prints role changes
   * @param resources closed after the node has stopped (or failed to start)
   */
  record Instance(
      StateMachine stateMachine, List<RoleListener> roleListeners, AutoCloseable resources) {
    public Instance {
      Objects.requireNonNull(stateMachine, "stateMachine");
      roleListeners = List.copyOf(roleListeners);
      Objects.requireNonNull(resources, "resources");
    }
  }
}
