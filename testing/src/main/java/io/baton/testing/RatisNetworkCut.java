package io.baton.testing;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.util.CodeInjectionForTesting;

/*
 * How a partition is made without processes or a proxy.
 *
 * Ratis 3.3's RaftServerImpl calls CodeInjectionForTesting.execute(point, localId, remoteId, ...)
 * at the start of handling each server-to-server request: requestVote (pre-votes and votes),
 * appendEntries (heartbeats and entries), installSnapshot and startLeaderElection (the last step of
 * a leadership transfer). localId is the receiving server's id, remoteId the sender's. The code
 * registered here throws when that pair is cut; the request then fails at the receiver, and the
 * sender sees a failed RPC, as when the network drops it. Votes are not granted, heartbeats do not
 * reset the election timer, entries are not appended: on each side the Raft rules alone decide what
 * happens (a majority side elects a leader; a minority leader cannot commit, and its read lease
 * lapses).
 *
 * The injection points are global to the JVM and keyed by name, so one table serves every server
 * in it. The names are Ratis's constants RaftServerImpl.REQUEST_VOTE and friends, which are
 * package-private: they are repeated here, and RatisNetworkCutTest fails if an upgrade renames them
 * or stops calling them. This is the only class of Baton that reaches into Ratis internals for
 * testing.
 */
/**
 * Drops Raft traffic between chosen nodes of the Ratis servers in this JVM, through Ratis's
 * test-injection points. Thread-safe; the cut is shared by every server in the JVM.
 */
final class RatisNetworkCut {
  /** The injection points of RaftServerImpl that receive a peer's request. */
  static final List<String> POINTS =
      List.of(
          "RaftServerImpl.requestVote",
          "RaftServerImpl.appendEntries",
          "RaftServerImpl.installSnapshot",
          "RaftServerImpl.startLeaderElection");

  /** Cut links as "receiver<-sender". */
  private static final Set<String> CUT = ConcurrentHashMap.newKeySet();

  /** Nodes that receive heartbeats but no AppendEntries carrying log entries. */
  private static final Set<String> STARVED = ConcurrentHashMap.newKeySet();

  private static boolean installed;

  private RatisNetworkCut() {}

  /** Drops every request between a node of {@code a} and a node of {@code b}, both ways. */
  static synchronized void cut(Collection<String> a, Collection<String> b) {
    install();
    for (String x : a) {
      for (String y : b) {
        if (!x.equals(y)) {
          CUT.add(link(x, y));
          CUT.add(link(y, x));
        }
      }
    }
  }

  /**
   * Drops every AppendEntries carrying log entries to {@code id}, from any sender; heartbeats
   * (AppendEntries without entries) still arrive and are answered.
   */
  static synchronized void starve(String id) {
    install();
    STARVED.add(id);
  }

  /** Restores every link to or from a node of {@code ids}. */
  static synchronized void heal(Collection<String> ids) {
    CUT.removeIf(l -> ids.stream().anyMatch(id -> involves(l, id)));
    STARVED.removeAll(ids);
  }

  /** Whether requests from {@code sender} to {@code receiver} are dropped. */
  static boolean isCut(String receiver, String sender) {
    return CUT.contains(link(receiver, sender));
  }

  private static void install() {
    if (installed) {
      return;
    }
    CodeInjectionForTesting.Code drop =
        (localId, remoteId, args) -> {
          if (localId != null
              && remoteId != null
              && isCut(String.valueOf(localId), String.valueOf(remoteId))) {
            throw new PartitionedException(remoteId + " -> " + localId);
          }
          return false;
        };
    CodeInjectionForTesting.Code dropEntries =
        (localId, remoteId, args) -> {
          drop.execute(localId, remoteId, args);
          if (localId != null
              && STARVED.contains(String.valueOf(localId))
              && carriesEntries(args)) {
            throw new PartitionedException("entries " + remoteId + " -> " + localId);
          }
          return false;
        };
    POINTS.forEach(
        point ->
            CodeInjectionForTesting.put(
                point, point.equals("RaftServerImpl.appendEntries") ? dropEntries : drop));
    installed = true;
  }

  private static boolean carriesEntries(Object... args) {
    for (Object a : args) {
      if (a instanceof AppendEntriesRequestProto r && r.getEntriesCount() > 0) {
        return true;
      }
    }
    return false;
  }

  private static String link(String receiver, String sender) {
    return receiver + "<-" + sender;
  }

  private static boolean involves(String link, String id) {
    return link.startsWith(id + "<-") || link.endsWith("<-" + id);
  }

  /** The failure of a request dropped by the cut; without a stack trace, to keep logs short. */
  static final class PartitionedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PartitionedException(String link) {
      super("partitioned: " + link);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
