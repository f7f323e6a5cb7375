package io.baton.internal.ratis;

import io.baton.BatonException;
import io.baton.OperationRefusedException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.SetConfigurationRequest;

/*
 * Membership changes use Ratis's compare-and-set mode against the configuration just read; Ratis
 * itself refuses a change while another is staging or uncommitted.
 *
 * setConfiguration has no retry cache: a retried request after a lost reply is refused as
 * "changed" or "in progress". The admin client therefore does not time out a change early, and on
 * any failure re-reads the configuration: if it already is the requested one, the change succeeded.
 *
 * Operator settings Raft cannot hold (priorities, drained nodes, automatic failback) are replicated
 * as an internal command; the configuration then gets derived priorities (see ClusterSettings).
 */
/**
 * Writes to the cluster for the admin: a new Raft configuration, the replicated operator settings
 * and other internal commands, all through the leader. Not API.
 */
final class ClusterChanges {
  private final ClusterProbe probe;

  ClusterChanges(ClusterProbe probe) {
    this.probe = probe;
  }

  static List<RaftPeer> withEffectivePriorities(List<RaftPeer> peers, ClusterSettings s) {
    return peers.stream()
        .map(p -> RaftPeer.newBuilder(p).setPriority(ClusterView.effective(s, p)).build())
        .toList();
  }

  /** Sets every member's configured priority to the one {@code s} gives it. */
  void applyPriorities(ClusterView v, ClusterSettings s) {
    v.requireStable();
    setConfiguration(
        v, withEffectivePriorities(v.voters(), s), withEffectivePriorities(v.listeners(), s));
  }

  /** Replicates {@code s} unless the cluster already holds it. */
  void writeSettings(ClusterView v, ClusterSettings s) {
    if (s.equals(v.settings())) {
      return;
    }
    submitInternal(v, Envelope.OP_SETTINGS, s.encode());
  }

  /** Appends an internal command through the leader; returns its log index. */
  long submitInternal(ClusterView v, byte op, byte[] payload) {
    try (RaftClient c = probe.leaderClient(v)) {
      RaftClientReply reply = c.io().send(Message.valueOf(Envelope.baton(op, payload)));
      if (!reply.isSuccess()) {
        throw new BatonException("cluster did not accept the change: " + reply.getException());
      }
      return reply.getLogIndex();
    } catch (IOException e) {
      throw new BatonException("cannot reach the leader: " + ClusterProbe.describe(e), e);
    }
  }

  /** Changes the configuration from the one in {@code v} to the given voters and listeners. */
  void setConfiguration(ClusterView v, List<RaftPeer> voters, List<RaftPeer> listeners) {
    SetConfigurationRequest.Arguments args =
        SetConfigurationRequest.Arguments.newBuilder()
            .setServersInNewConf(voters)
            .setListenersInNewConf(listeners)
            .setServersInCurrentConf(v.voters())
            .setListenersInCurrentConf(v.listeners())
            .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
            .build();
    Throwable failure;
    try (RaftClient c = probe.leaderClient(v)) {
      RaftClientReply reply = c.admin().setConfiguration(args);
      if (reply.isSuccess()) {
        return;
      }
      failure = reply.getException();
    } catch (IOException e) {
      failure = e;
    }
    // A retried request after a lost reply fails although the change was made: check.
    ClusterView now = probe.view();
    if (samePeers(now.voters(), voters)
        && samePeers(now.listeners(), listeners)
        && !now.changing()) {
      return;
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (RatisErrors.isReconfigurationInProgress(t)) {
        throw new OperationRefusedException(
            "another membership change is in progress; retry when it has finished");
      }
      if (RatisErrors.isConfigurationChangedMeanwhile(t)) {
        throw new OperationRefusedException(
            "the configuration changed while this change was prepared (another admin?);"
                + " check status and retry");
      }
    }
    throw new BatonException(
        "membership change failed: " + ClusterProbe.describe(failure), failure);
  }

  private static boolean samePeers(List<RaftPeer> a, List<RaftPeer> b) {
    Map<String, Integer> x = new LinkedHashMap<>();
    a.forEach(p -> x.put(p.getId().toString(), p.getPriority()));
    Map<String, Integer> y = new LinkedHashMap<>();
    b.forEach(p -> y.put(p.getId().toString(), p.getPriority()));
    return x.equals(y);
  }
}
