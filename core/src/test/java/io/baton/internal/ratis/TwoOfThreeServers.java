package io.baton.internal.ratis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.TimeDuration;

/**
 * Two running members of a three-member Raft group of bare Ratis servers on 127.0.0.1, for tests of
 * the Ratis internals Baton's election code reaches. Election timeout 1-2 s (heartbeats every 500
 * ms), further settings from the caller.
 */
final class TwoOfThreeServers implements AutoCloseable {
  private final RaftGroup group;
  private final List<RaftServer> servers = new ArrayList<>();

  TwoOfThreeServers(Path dir, Consumer<RaftProperties> settings) throws IOException {
    List<RaftPeer> peers = new ArrayList<>();
    for (String id : List.of("n1", "n2", "n3")) {
      peers.add(
          RaftPeer.newBuilder().setId(id).setAddress("127.0.0.1:" + LoopbackPorts.free()).build());
    }
    group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
    for (RaftPeer p : peers.subList(0, 2)) {
      RaftServer s = newServer(dir, p, settings);
      s.start();
      servers.add(s);
    }
  }

  /** The two running servers. */
  List<RaftServer> servers() {
    return servers;
  }

  /** The group's division on {@code server}, if it has one. */
  Optional<RaftServer.Division> division(RaftServer server) {
    try {
      return Optional.of(server.getDivision(group.getGroupId()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private RaftServer newServer(Path dir, RaftPeer self, Consumer<RaftProperties> settings)
      throws IOException {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(dir.resolve(self.getId().toString()).toFile()));
    GrpcConfigKeys.Server.setHost(p, "127.0.0.1");
    GrpcConfigKeys.Server.setPort(
        p, Integer.parseInt(self.getAddress().substring(self.getAddress().lastIndexOf(':') + 1)));
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2, TimeUnit.SECONDS));
    settings.accept(p);
    return RaftServer.newBuilder()
        .setServerId(self.getId())
        .setGroup(group)
        .setProperties(p)
        .setStateMachine(new BaseStateMachine())
        .setOption(RaftStorage.StartupOption.FORMAT)
        .build();
  }

  @Override
  public void close() throws IOException {
    for (RaftServer s : servers) {
      s.close();
    }
  }
}
