package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.statemachine.Role;
import io.baton.statemachine.RoleChange;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which role changes reach listeners: each change once, repeats of the same one dropped. */
final class RoleRepeatsTest {
  private static RoleChange follower(long term, String leader) {
    return new RoleChange(Role.FOLLOWER, term, Optional.ofNullable(leader));
  }

  @Test
  void theSameLeaderReportedAgainInTheSameTermIsARepeat() {
    assertThat(RatisBatonNode.repeats(follower(26, "n3"), follower(26, "n3"))).isTrue();
  }

  @Test
  void aNewLeaderANewTermOrALostLeaderIsAChange() {
    assertThat(RatisBatonNode.repeats(follower(26, "n1"), follower(26, "n3"))).isFalse();
    assertThat(RatisBatonNode.repeats(follower(27, "n3"), follower(26, "n3"))).isFalse();
    assertThat(RatisBatonNode.repeats(follower(26, null), follower(26, "n3"))).isFalse();
    assertThat(RatisBatonNode.repeats(follower(26, "n3"), null)).isFalse();
  }

  @Test
  void leaderToFollowerIsAChange() {
    RoleChange leader = new RoleChange(Role.LEADER, 26, Optional.of("n2"));
    assertThat(RatisBatonNode.repeats(follower(26, null), leader)).isFalse();
  }

  @Test
  void downIsDeliveredOnceWhateverTheTerm() {
    RoleChange halted = new RoleChange(Role.DOWN, 26, Optional.empty());
    RoleChange closed = new RoleChange(Role.DOWN, 0, Optional.empty());
    assertThat(RatisBatonNode.repeats(closed, halted)).isTrue();
  }
}
