package io.baton.statemachine;

/**
 * Receives this replica's role changes: the hook for leader-only duties (a dispatcher, a scheduler,
 * an outbound connection) that must run on exactly one node and move to the new leader on failover.
 *
 * <p>Baton calls listeners on one dedicated thread, in the order the changes happened, never
 * concurrently with each other. A listener that blocks delays later notifications, not replication.
 * {@link Role#LEADER} is delivered once the new leader has committed an entry of its term, so its
 * state reflects every command acknowledged before the failover. An exception thrown by a listener
 * is logged and does not stop later notifications.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface RoleListener {
  /** Called after this replica's role changed. */
  void onRoleChange(RoleChange change);
}
