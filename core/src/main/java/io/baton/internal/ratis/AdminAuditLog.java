package io.baton.internal.ratis;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Supplier;

/*
 * Each action is recorded in the log twice, when asked and when done, so the leader's log (and
 * every replica's debug log) shows who did what and when, in order with the commands.
 */
/** Runs admin actions with a record of each in the replicated log (the audit log). Not API. */
final class AdminAuditLog {
  private final ClusterProbe probe;
  private final ClusterChanges changes;
  private final String actor;
  private final Consumer<String> progress;

  AdminAuditLog(
      ClusterProbe probe, ClusterChanges changes, String actor, Consumer<String> progress) {
    this.probe = probe;
    this.changes = changes;
    this.actor = actor;
    this.progress = progress;
  }

  /** Runs {@code action}, recording the request and its outcome as {@code what}. */
  void run(String what, Runnable action) {
    call(
        what,
        () -> {
          action.run();
          return null;
        });
  }

  /** Runs {@code action}, recording the request and its outcome as {@code what}. */
  <T> T call(String what, Supplier<T> action) {
    probe.checkOpen();
    record("requested: " + what);
    try {
      T result = action.get();
      record("done: " + what);
      return result;
    } catch (RuntimeException e) {
      record("failed: " + what + ": " + e.getMessage());
      throw e;
    }
  }

  private void record(String event) {
    String line = "actor=" + actor + " at=" + Instant.now() + " " + event;
    try {
      ClusterView v = probe.view();
      if (v.leader().isPresent()) {
        changes.submitInternal(v, Envelope.OP_AUDIT, line.getBytes(StandardCharsets.UTF_8));
      }
    } catch (RuntimeException e) {
      // An audit record the cluster cannot take must not mask the action's own outcome.
      progress.accept("(audit record not written: " + e.getMessage() + ")");
    }
  }
}
