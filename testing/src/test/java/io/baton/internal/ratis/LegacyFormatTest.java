package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.BatonAdmin;
import io.baton.BatonNode;
import io.baton.ClusterStatus;
import io.baton.MemberStatus;
import io.baton.statemachine.Keys;
import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.FileUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node reads what an older version wrote: command batches in the first, hand-framed format in its
 * log, and cluster settings stored as "key=value" text.
 */
final class LegacyFormatTest {
  @TempDir Path dir;

  @Test
  void node_withFirstFormatBatchesAndSettingsInItsLogAndStore_startsAndReplaysThem()
      throws IOException {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      BatonNode leader = cluster.awaitLeader();
      RaftGroup group = RaftConfig.group("baton", cluster.peers());
      ClientId clientId = ClientId.randomId();
      try (RaftClient raw =
          RaftClient.newBuilder().setRaftGroup(group).setProperties(new RaftProperties()).build()) {
        // As the first version's client sent them: a hand-framed batch and text settings.
        ByteString batch =
            LegacyCommandBatch.encode(
                List.of(
                    CommandBatch.Item.command(RegisterStateMachine.incr("c")),
                    CommandBatch.Item.command(RegisterStateMachine.incr("c"))));
        ByteString settings =
            Envelope.baton(
                Envelope.OP_SETTINGS,
                "autoFailback=false\npriority.n1=3\n".getBytes(StandardCharsets.UTF_8));

        ByteString reply =
            CommandBatchingTest.send(
                    raw, CommandBatchingTest.rawRequest(group, leader.id(), clientId, 1, batch))
                .getMessage()
                .getContent();
        CommandBatchingTest.send(
            raw, CommandBatchingTest.rawRequest(group, leader.id(), clientId, 2, settings));

        assertThat(reply.byteAt(0))
            .as("answered in the format it was sent")
            .isEqualTo(Replies.LEGACY_BATCH);
        assertThat(LegacyCommandBatch.decodeReply(reply.substring(1))).hasSize(2);
      }

      // A follower without its store replays the whole log, first-format entries included.
      String follower = cluster.followerIds(leader).get(0);
      cluster.stop(follower);
      FileUtils.deleteFully(cluster.config(follower).dataDir().resolve("db"));
      cluster.restart(follower);
      cluster.awaitConverged();

      // Every node restarts on a store holding the settings as text.
      for (String id : List.of("n1", "n2", "n3")) {
        cluster.stop(id);
      }
      for (String id : List.of("n1", "n2", "n3")) {
        cluster.restart(id);
      }
      cluster.awaitLeader();
      cluster.awaitConverged();

      assertThat(Keys.toLong(cluster.newClient().query(RegisterStateMachine.counter("c"))))
          .isEqualTo(2);
      BatonAdmin admin = cluster.admin();
      ClusterStatus status = admin.status();
      assertThat(status.autoFailback()).isFalse();
      assertThat(status.members())
          .filteredOn(m -> m.id().equals("n1"))
          .extracting(MemberStatus::priority)
          .containsExactly(3);
    }
  }
}
