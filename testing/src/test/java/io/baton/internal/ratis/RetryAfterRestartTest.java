package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.ReplyLostException;
import io.baton.statemachine.Keys;
import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retried command (same client id and call id) is answered from the servers' retry cache, never
 * applied twice, including by a node that restarted since applying it; such a node cannot know the
 * reply and says so instead of answering "done" with an empty one.
 */
final class RetryAfterRestartTest {
  @TempDir Path dir;

  private static RaftClientReply send(RaftClient raw, RaftClientRequest request) {
    return RawRequests.sendUntil(raw, request, reply -> reply.isSuccess());
  }

  @Test
  void retryOfACommandAppliedBeforeARestart_isNotAppliedAgain_andReportsItsReplyLost() {
    try (LocalCluster cluster = LocalCluster.start(1, dir, id -> new RegisterStateMachine())) {
      cluster.awaitLeader();
      RaftGroup group = RaftConfig.group("baton", cluster.peers());
      try (RaftClient raw =
          RaftClient.newBuilder().setRaftGroup(group).setProperties(new RaftProperties()).build()) {
        RaftClientRequest incr =
            RaftClientRequest.newBuilder()
                .setClientId(ClientId.randomId())
                .setServerId(RaftPeerId.valueOf("n1"))
                .setGroupId(group.getGroupId())
                .setCallId(7)
                .setMessage(
                    Message.valueOf(
                        Envelope.app("incr c".getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .setType(RaftClientRequest.writeRequestType())
                .build();

        byte[] first = send(raw, incr).getMessage().getContent().toByteArray();
        byte[] retried = send(raw, incr).getMessage().getContent().toByteArray();
        assertThat(first[0]).isEqualTo(Replies.OK);
        assertThat(Keys.toLong(RatisBatonClient.unframe(ByteString.copyFrom(first)))).isEqualTo(1);
        assertThat(retried).isEqualTo(first);

        cluster.kill("n1");
        cluster.restart("n1");
        cluster.awaitLeader();
        byte[] afterRestart = send(raw, incr).getMessage().getContent().toByteArray();

        assertThat(afterRestart).containsExactly(Replies.LOST);
        assertThatThrownBy(() -> RatisBatonClient.unframe(ByteString.copyFrom(afterRestart)))
            .isInstanceOf(ReplyLostException.class)
            .hasMessageContaining("applied, but its reply was lost");
        byte[] count = cluster.newClient().query(RegisterStateMachine.counter("c"));
        assertThat(Keys.toLong(count)).as("increments applied").isEqualTo(1);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
  }
}
