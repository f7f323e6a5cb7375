package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcUtil;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.apache.ratis.util.ExitUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each case builds the exception Ratis (or its gRPC transport) really raises, from a real server
 * and client where one can be had on 127.0.0.1, so that a Ratis upgrade that changes one of them
 * fails here.
 */
final class RatisErrorsTest {
  private static final RaftPeerId ID = RaftPeerId.valueOf("n0");

  @TempDir static Path dir;

  private static RaftServer server;
  private static RaftPeer peer;
  private static RaftGroup group;

  @BeforeAll
  static void startSingleNodeServer() throws IOException {
    ExitUtils.disableSystemExit(); // a second server on a taken port would exit the JVM
    int port = LoopbackPorts.free();
    peer = RaftPeer.newBuilder().setId(ID).setAddress("127.0.0.1:" + port).build();
    group = RaftGroup.valueOf(RaftGroupId.randomId(), peer);
    server = newServer(dir.resolve("first"), port);
    server.start();
  }

  @AfterAll
  static void stopServer() throws IOException {
    server.close();
  }

  private static RaftServer newServer(Path storage, int port) throws IOException {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(storage.toFile()));
    GrpcConfigKeys.Server.setHost(p, "127.0.0.1");
    GrpcConfigKeys.Server.setPort(p, port);
    return RaftServer.newBuilder()
        .setServerId(ID)
        .setGroup(group)
        .setProperties(p)
        .setStateMachine(new BaseStateMachine())
        .setOption(RaftStorage.StartupOption.FORMAT)
        .build();
  }

  private static RaftClient client(RaftGroup g, Duration timeout) {
    RaftProperties p = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, RaftConfig.time(timeout));
    return RaftClient.newBuilder()
        .setRaftGroup(g)
        .setProperties(p)
        .setRetryPolicy(RetryPolicies.noRetry())
        .build();
  }

  private static Throwable groupInfoFailure(RaftPeer target, RaftGroupId asked, Duration timeout) {
    try (RaftClient c = client(RaftGroup.valueOf(asked, target), timeout)) {
      return catchThrowable(() -> c.getGroupManagementApi(target.getId()).info(asked));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static boolean anyCause(Throwable t, java.util.function.Predicate<Throwable> p) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (p.test(c)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void isGroupNotFound_groupInfoForAnotherGroup_isTrue() {
    Throwable t = groupInfoFailure(peer, RaftGroupId.randomId(), Duration.ofSeconds(3));

    assertThat(RatisErrors.isGroupNotFound(t)).as("%s", t).isTrue();
    assertThat(ClusterProbe.describe(t))
        .isEqualTo("runs no node of this cluster (group not found)");
  }

  @Test
  void isGroupNotFound_serverExceptionInGrpcTrailers_isTrue() {
    Throwable wire = GrpcUtil.wrapException(new GroupMismatchException("n0: group-1 not found."));

    assertThat(RatisErrors.isGroupNotFound(wire)).isTrue();
    assertThat(RatisErrors.isGroupNotFound(new GroupMismatchException("x"))).isTrue();
    assertThat(RatisErrors.isGroupNotFound(GrpcUtil.wrapException(new IOException("x")))).isFalse();
  }

  @Test
  void isUnreachable_nothingListensOnThePort_isTrueForACause() throws IOException {
    RaftPeer nobody =
        RaftPeer.newBuilder().setId("n9").setAddress("127.0.0.1:" + LoopbackPorts.free()).build();

    Throwable t = groupInfoFailure(nobody, group.getGroupId(), Duration.ofSeconds(3));

    assertThat(anyCause(t, RatisErrors::isUnreachable)).as("%s", t).isTrue();
    assertThat(ClusterProbe.describe(t)).isEqualTo("unreachable");
  }

  @Test
  void isUnreachable_unavailableStatusOrRefusedConnection_isTrue() {
    assertThat(RatisErrors.isUnreachable(new StatusRuntimeException(Status.UNAVAILABLE))).isTrue();
    assertThat(RatisErrors.isUnreachable(new ConnectException("Connection refused"))).isTrue();
    assertThat(RatisErrors.isUnreachable(new StatusRuntimeException(Status.INTERNAL))).isFalse();
  }

  @Test
  void isNoAnswer_serverAcceptsButNeverAnswers_isTrueForACause() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      RaftPeer mute =
          RaftPeer.newBuilder()
              .setId("n8")
              .setAddress("127.0.0.1:" + silent.getLocalPort())
              .build();

      Throwable t = groupInfoFailure(mute, group.getGroupId(), Duration.ofMillis(300));

      assertThat(anyCause(t, RatisErrors::isNoAnswer)).as("%s", t).isTrue();
      assertThat(ClusterProbe.describe(t)).isEqualTo("no answer");
    }
  }

  @Test
  void isNoAnswer_deadlineStatusOrTimeout_isTrue() {
    assertThat(RatisErrors.isNoAnswer(new StatusRuntimeException(Status.DEADLINE_EXCEEDED)))
        .isTrue();
    assertThat(RatisErrors.isNoAnswer(new TimeoutException())).isTrue();
    assertThat(RatisErrors.isNoAnswer(new StatusRuntimeException(Status.UNAVAILABLE))).isFalse();
  }

  @Test
  void isLeaderUnknown_readIndexOrNotReady_isTrueAlsoAsCause() {
    ReadIndexException readIndex = new ReadIndexException("Leader is unknown");
    LeaderNotReadyException notReady =
        new LeaderNotReadyException(RaftGroupMemberId.valueOf(ID, group.getGroupId()));

    assertThat(RatisErrors.isLeaderUnknown(readIndex)).isTrue();
    assertThat(RatisErrors.isLeaderUnknown(notReady)).isTrue();
    assertThat(RatisErrors.isLeaderUnknown(new CompletionException(notReady))).isTrue();
    assertThat(RatisErrors.isLeaderUnknown(new IOException("x"))).isFalse();
  }

  @Test
  void isSteppingDown_steppingDownOrTransferring_isTrue() {
    assertThat(RatisErrors.isSteppingDown(new LeaderSteppingDownException("x"))).isTrue();
    assertThat(RatisErrors.isSteppingDown(new TransferLeadershipException("x"))).isTrue();
    assertThat(RatisErrors.isSteppingDown(new ReadIndexException("x"))).isFalse();
    assertThat(RatisErrors.isReadRetriable(new ReadIndexException("x"))).isTrue();
    assertThat(RatisErrors.isReadRetriable(new LeaderSteppingDownException("x"))).isTrue();
  }

  /** The message Ratis's TransferLeadership.PendingRequest.complete builds for a lost election. */
  @Test
  void isTransferRetriable_differentLeaderOrNotReady_isTrue() throws ReflectiveOperationException {
    Class<?> result = Class.forName("org.apache.ratis.server.impl.TransferLeadership$Result");
    Field differentLeader = result.getDeclaredField("DIFFERENT_LEADER");
    differentLeader.setAccessible(true);
    TransferLeadershipException lost =
        new TransferLeadershipException(
            "n0@group-1: Failed to transfer leadership to n1 (the current leader is n0): "
                + differentLeader.get(null));
    TransferLeadershipException timedOut =
        new TransferLeadershipException(
            "n0@group-1: Failed to transfer leadership to n1 (the current leader is n0): TIMED_OUT");

    assertThat(RatisErrors.isTransferRetriable(lost)).isTrue();
    assertThat(
            RatisErrors.isTransferRetriable(
                new LeaderNotReadyException(RaftGroupMemberId.valueOf(ID, group.getGroupId()))))
        .isTrue();
    assertThat(RatisErrors.isTransferRetriable(timedOut)).isFalse();
  }

  @Test
  void isConfigurationChangedMeanwhile_compareAndSetAgainstAnOldConfiguration_isTrue()
      throws IOException {
    RaftPeer gone = RaftPeer.newBuilder().setId("n7").setAddress("127.0.0.1:1").build();
    SetConfigurationRequest.Arguments stale =
        SetConfigurationRequest.Arguments.newBuilder()
            .setServersInNewConf(List.of(peer))
            .setServersInCurrentConf(List.of(peer, gone))
            .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
            .build();
    Throwable failure;
    try (RaftClient c = client(group, Duration.ofSeconds(3))) {
      // The single node elects itself; until then the request fails for that reason instead.
      do {
        Throwable thrown = catchThrowable(() -> c.admin().setConfiguration(stale));
        failure = thrown != null ? thrown : replyException(c, stale);
      } while (anyCause(failure, RatisErrors::isLeaderUnknown)
          || failure instanceof org.apache.ratis.protocol.exceptions.NotLeaderException);
    }

    assertThat(failure).isInstanceOf(SetConfigurationException.class);
    assertThat(RatisErrors.isConfigurationChangedMeanwhile(failure)).as("%s", failure).isTrue();
    assertThat(RatisErrors.isConfigurationChangedMeanwhile(new SetConfigurationException("x")))
        .isFalse();
  }

  private static Throwable replyException(RaftClient c, SetConfigurationRequest.Arguments args)
      throws IOException {
    RaftClientReply reply = c.admin().setConfiguration(args);
    return reply.getException();
  }

  @Test
  void isReconfigurationInProgress_ratisException_isTrue() {
    assertThat(RatisErrors.isReconfigurationInProgress(new ReconfigurationInProgressException("x")))
        .isTrue();
    assertThat(RatisErrors.isReconfigurationInProgress(new SetConfigurationException("x")))
        .isFalse();
  }

  @Test
  void isAddressInUse_secondServerOnTheSamePort_isTrueForACause() throws IOException {
    int port = Integer.parseInt(peer.getAddress().substring(peer.getAddress().indexOf(':') + 1));
    RaftServer second = newServer(dir.resolve("second"), port);
    try {
      Throwable t = catchThrowable(second::start);

      assertThat(t).isNotNull();
      assertThat(anyCause(t, RatisErrors::isAddressInUse)).as("%s", t).isTrue();
    } finally {
      second.close();
    }
  }

  @Test
  void isAddressInUse_jdkBindException_isTrue() {
    assertThat(RatisErrors.isAddressInUse(new BindException("x"))).isTrue();
    assertThat(RatisErrors.isAddressInUse(new IOException("Connection reset"))).isFalse();
  }
}
