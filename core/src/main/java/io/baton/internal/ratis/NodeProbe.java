package io.baton.internal.ratis;

import java.util.Optional;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftPeer;

/** One node's answer to a group-info request, or why it gave none. Not API. */
record NodeProbe(RaftPeer peer, GroupInfoReply info, String error) {
  boolean ok() {
    return info != null;
  }

  RaftPeerRole role() {
    return info.getRoleInfoProto().getRole();
  }

  long applied() {
    return info.getLogInfoProto().getApplied().getIndex();
  }

  long committed() {
    return info.getLogInfoProto().getCommitted().getIndex();
  }

  long term() {
    RoleInfoProto r = info.getRoleInfoProto();
    return r.hasLeaderInfo()
        ? r.getLeaderInfo().getTerm()
        : info.getLogInfoProto().getLastEntry().getTerm();
  }

  Optional<String> leaderHint() {
    RoleInfoProto r = info.getRoleInfoProto();
    if (r.getRole() == RaftPeerRole.LEADER) {
      return Optional.of(peer.getId().toString());
    }
    if (r.hasFollowerInfo() && r.getFollowerInfo().hasLeaderInfo()) {
      String id = r.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8();
      return id.isEmpty() ? Optional.empty() : Optional.of(id);
    }
    return Optional.empty();
  }
}
