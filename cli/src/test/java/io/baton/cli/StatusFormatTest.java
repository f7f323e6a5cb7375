package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.ClusterStatus;
import io.baton.MemberStatus;
import io.baton.statemachine.Role;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class StatusFormatTest {
  private static final ClusterStatus STATUS =
      new ClusterStatus(
          Optional.of("n2"),
          5,
          List.of(
              new MemberStatus(
                  "n1",
                  "127.0.0.1:7101",
                  true,
                  Role.FOLLOWER,
                  0,
                  false,
                  5,
                  118,
                  118,
                  -1,
                  0,
                  21,
                  -1,
                  -1),
              new MemberStatus(
                  "n2",
                  "127.0.0.1:7102",
                  true,
                  Role.LEADER,
                  2,
                  false,
                  5,
                  118,
                  118,
                  100,
                  0,
                  0,
                  -1,
                  -1),
              new MemberStatus(
                  "n\"4",
                  "127.0.0.1:7104",
                  false,
                  Role.DOWN,
                  0,
                  true,
                  -1,
                  -1,
                  -1,
                  -1,
                  -1,
                  -1,
                  -1,
                  -1)),
          true,
          false,
          Instant.parse("2026-11-22T02:29:47Z"));

  @Test
  void json_parsesBackWithEveryField() throws Exception {
    JsonNode root = new ObjectMapper().readTree(StatusFormat.json(STATUS));

    assertThat(root.get("leader").asText()).isEqualTo("n2");
    assertThat(root.get("term").asLong()).isEqualTo(5);
    assertThat(root.get("configurationChanging").asBoolean()).isTrue();
    assertThat(root.get("autoFailback").asBoolean()).isFalse();
    assertThat(root.get("takenAt").asText()).isEqualTo("2026-11-22T02:29:47Z");
    assertThat(root.get("voters")).extracting(JsonNode::asText).containsExactly("n1", "n2");
    assertThat(root.get("listeners")).extracting(JsonNode::asText).containsExactly("n\"4");
    JsonNode leader = root.get("members").get(1);
    assertThat(leader.get("id").asText()).isEqualTo("n2");
    assertThat(leader.get("role").asText()).isEqualTo("leader");
    assertThat(leader.get("priority").asInt()).isEqualTo(2);
    assertThat(leader.get("lastSnapshotIndex").asLong()).isEqualTo(100);
    JsonNode down = root.get("members").get(2);
    assertThat(down.get("reachable").asBoolean()).isFalse();
    assertThat(down.get("voter").asBoolean()).isFalse();
    assertThat(down.get("drained").asBoolean()).isTrue();
    assertThat(down.get("commitIndex").asLong()).isEqualTo(-1);
    assertThat(root.get("members").get(0).fieldNames())
        .toIterable()
        .containsExactly(
            "id",
            "address",
            "voter",
            "role",
            "reachable",
            "priority",
            "drained",
            "term",
            "commitIndex",
            "appliedIndex",
            "lastSnapshotIndex",
            "lagEntries",
            "lastContactMillis",
            "stuckForMillis",
            "stuckAtIndex");
  }

  @Test
  void table_showsAStuckFollowerAsStuck_withSinceWhenAndAtWhichIndex() {
    ClusterStatus stuck =
        new ClusterStatus(
            Optional.of("n1"),
            7,
            List.of(
                new MemberStatus(
                    "n1",
                    "127.0.0.1:7101",
                    true,
                    Role.LEADER,
                    0,
                    false,
                    7,
                    7957,
                    7957,
                    -1,
                    0,
                    0,
                    -1,
                    -1),
                new MemberStatus(
                    "n2",
                    "127.0.0.1:7102",
                    true,
                    Role.FOLLOWER,
                    0,
                    false,
                    7,
                    7647,
                    7647,
                    -1,
                    310,
                    13,
                    6_400,
                    7657)),
            false,
            true,
            Instant.EPOCH);

    List<String> lines = StatusFormat.table(stuck).lines().toList();

    assertThat(lines).hasSize(5);
    assertThat(lines.get(2).split("\\s+")).contains("STUCK").doesNotContain("310");
    assertThat(lines.get(3))
        .isEqualTo(
            "n2: STUCK since 6s at index 7657 (310 behind); the leader is restarting its"
                + " replication");
    assertThat(StatusFormat.json(stuck)).contains("\"stuckForMillis\":6400,\"stuckAtIndex\":7657");
  }

  @Test
  void json_withoutLeader_writesNull() throws Exception {
    ClusterStatus none =
        new ClusterStatus(Optional.empty(), 3, List.of(), false, true, Instant.EPOCH);

    assertThat(StatusFormat.json(none)).contains("\"leader\":null").doesNotContain("\n");
    assertThat(new ObjectMapper().readTree(StatusFormat.json(none)).get("leader").isNull())
        .isTrue();
  }

  @Test
  void table_showsOneLinePerMember_unknownsAsDashes_thenTheConfiguration() {
    List<String> lines = StatusFormat.table(STATUS).lines().toList();

    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).startsWith("ID").contains("ADDRESS", "ROLE", "LAG", "SNAPSHOT");
    assertThat(lines.get(1).split("\\s+"))
        .containsExactly(
            "n1",
            "127.0.0.1:7101",
            "follower",
            "voter",
            "0",
            "no",
            "5",
            "118",
            "118",
            "0",
            "21ms",
            "-");
    assertThat(lines.get(3).split("\\s+"))
        .containsExactly(
            "n\"4", "127.0.0.1:7104", "down", "listener", "0", "yes", "-", "-", "-", "-", "-", "-");
    assertThat(lines.get(4))
        .isEqualTo(
            "leader: n2, term 5, voters [n1, n2], listeners [n\"4], automatic failback off,"
                + " membership change in progress");
  }
}
