package io.baton.benchmarks.support;

import io.baton.internal.Await;
import io.baton.testing.Ports;
import io.baton.testing.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The baseline of the throughput comparison: three plain Apache Ratis servers in this JVM with
 * Ratis's default settings, running {@link CountingStateMachine}, which keeps nothing but a count
 * in memory. Only what a server cannot run without is set: the storage directory, and the gRPC host
 * and port. It answers "how fast is Ratis itself on this machine", so Baton's overhead (its state
 * store, adapter and settings) is the ratio of the two.
 */
public final class RawRatisCluster implements AutoCloseable {
  private final Path baseDir;
  private final RaftGroup group;
  private final List<RaftServer> servers = new ArrayList<>();
  private final List<RaftClient> clients = new ArrayList<>();

  private RawRatisCluster(Path baseDir, RaftGroup group) {
    this.baseDir = baseDir;
    this.group = group;
  }

  /** Starts {@code n} servers and waits until one is a ready leader. */
  public static RawRatisCluster start(int n) {
    Path dir;
    try {
      dir = Files.createTempDirectory("baton-bench-ratis-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<RaftPeer> peers = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      peers.add(
          RaftPeer.newBuilder().setId("r" + i).setAddress("127.0.0.1:" + Ports.freePort()).build());
    }
    RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);
    RawRatisCluster c = new RawRatisCluster(dir, group);
    try {
      for (RaftPeer p : peers) {
        RaftProperties props = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(
            props, List.of(dir.resolve(p.getId().toString()).toFile()));
        String[] hostPort = p.getAddress().split(":", -1);
        GrpcConfigKeys.Server.setHost(props, hostPort[0]);
        GrpcConfigKeys.Server.setPort(props, Integer.parseInt(hostPort[1]));
        RaftServer s =
            RaftServer.newBuilder()
                .setServerId(p.getId())
                .setGroup(group)
                .setStateMachine(new CountingStateMachine())
                .setProperties(props)
                .build();
        s.start();
        c.servers.add(s);
      }
      c.awaitLeader(Duration.ofSeconds(60));
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    return c;
  }

  /** A client with Ratis's default settings (and retry policy), closed with the cluster. */
  public RaftClient newClient() {
    RaftClient client =
        RaftClient.newBuilder().setRaftGroup(group).setProperties(new RaftProperties()).build();
    clients.add(client);
    return client;
  }

  private void awaitLeader(Duration timeout) {
    if (!Await.until(timeout, Duration.ofMillis(5), this::hasReadyLeader)) {
      throw new IllegalStateException("no Ratis leader after " + timeout);
    }
  }

  private boolean hasReadyLeader() {
    for (RaftServer s : servers) {
      try {
        RaftServer.Division d = s.getDivision(group.getGroupId());
        if (d.getInfo().isLeader() && d.getInfo().isLeaderReady()) {
          return true;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return false;
  }

  /** A message of {@code bytes} bytes. */
  public static Message message(int bytes) {
    byte[] b = new byte[bytes];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) i;
    }
    return Message.valueOf(ByteString.copyFrom(b));
  }

  /** Closes the clients and servers and deletes the storage. */
  @Override
  public void close() {
    for (RaftClient client : clients) {
      try {
        client.close();
      } catch (IOException e) {
        System.err.println("bench: error closing a Ratis client: " + e);
      }
    }
    List<Thread> closing = new ArrayList<>();
    for (RaftServer s : servers) {
      Thread t =
          new Thread(
              () -> {
                try {
                  s.close();
                } catch (IOException e) {
                  System.err.println("bench: error closing a Ratis server: " + e);
                }
              });
      t.start();
      closing.add(t);
    }
    for (Thread t : closing) {
      try {
        t.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    TempDirs.deleteQuietly(baseDir);
  }

  /**
   * The smallest useful Ratis state machine: counts applied entries in memory and replies with the
   * count. No snapshots, no storage of its own.
   */
  public static final class CountingStateMachine extends BaseStateMachine {
    private final AtomicLong count = new AtomicLong();

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
      LogEntryProto entry = trx.getLogEntry();
      long n = count.incrementAndGet();
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
      return CompletableFuture.completedFuture(Message.valueOf(Long.toString(n)));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
      return CompletableFuture.completedFuture(Message.valueOf(Long.toString(count.get())));
    }
  }
}
