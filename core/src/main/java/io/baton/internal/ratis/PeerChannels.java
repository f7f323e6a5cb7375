package io.baton.internal.ratis;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.RaftServerRpcWithProxy;

/*
 * Why this class exists. A Raft server reaches each peer over one gRPC channel. When a connection
 * attempt fails (the peer's process is not up yet, or is down), gRPC puts the channel into
 * exponential reconnect back-off: 1 s, then 1.6 times longer after each failed attempt, up to
 * 2 min, and every call made meanwhile fails at once without trying. Ratis resets the back-off
 * only for a leader's log appender. A node that asks for votes while its peers are still starting
 * (a cold start, or every node restarting after a power loss) therefore cannot reach them for up to
 * that back-off after they are up, although they are listening: the first node up of a restarted
 * cluster took 13-22 s to get an answer from the others. Before an election, Baton's election
 * timer asks every channel to a peer to reconnect now.
 *
 * The reach into Ratis: the server's RPC is a public RaftServerRpcWithProxy whose proxies are
 * instances of the package-private GrpcServerProtocolClient, whose resetConnectBackoff() (the very
 * method Ratis's log appender calls) is invoked by reflection. If a Ratis upgrade removes it,
 * supported() is false, a warning is logged once, nothing is reset, and PeerChannelsTest fails.
 */
/** Makes a node's gRPC channels to its peers reconnect at once instead of after back-off. */
final class PeerChannels {
  private static final Optional<Method> RESET_CONNECT_BACKOFF =
      RatisInternals.method(
          "org.apache.ratis.grpc.server.GrpcServerProtocolClient",
          "resetConnectBackoff",
          "a node asking for votes may not reach a peer that just started until gRPC's reconnect"
              + " back-off runs out");

  private PeerChannels() {}

  /** Whether this Ratis version has the method channels are reset with. */
  static boolean supported() {
    return RESET_CONNECT_BACKOFF.isPresent();
  }

  /**
   * Asks the channel to every other peer of {@code division}'s group to reconnect now if it is
   * waiting out a reconnect back-off. Returns how many channels were asked.
   */
  static int reconnectNow(RaftServer.Division division) {
    RaftServerRpc rpc = division.getRaftServer().getServerRpc();
    if (RESET_CONNECT_BACKOFF.isEmpty()
        || !(rpc instanceof RaftServerRpcWithProxy<?, ?> withProxies)) {
      return 0;
    }
    int asked = 0;
    for (RaftPeer peer : division.getGroup().getPeers()) {
      if (peer.getId().equals(division.getPeer().getId())) {
        continue;
      }
      try {
        Closeable proxy = withProxies.getProxies().getProxy(peer.getId());
        Method reset = RESET_CONNECT_BACKOFF.get();
        if (reset.getDeclaringClass().isInstance(proxy)) {
          reset.invoke(proxy);
          asked++;
        }
      } catch (IOException
          | IllegalAccessException
          | InvocationTargetException
          | RuntimeException e) {
        // No channel to this peer (closing, or its address is unknown): nothing to reconnect.
      }
    }
    return asked;
  }
}
