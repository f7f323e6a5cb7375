package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The leader lease for linearizable reads (Raft §6.4, §8): a leader answers only while a majority
 * of voters, itself included, was heard from within the minimum election timeout.
 */
final class LeaderLeaseTest {
  private final LeaderLease lease = new LeaderLease(1000);
  private static final List<String> THREE = List.of("n1", "n2", "n3");

  @Test
  void refusal_allFollowersHeardRecently_allowsTheRead() {
    assertThat(lease.refusal("n1", THREE, Map.of("n2", 10L, "n3", 999L))).isEmpty();
  }

  @Test
  void refusal_oneOfTwoFollowersHeardRecently_allowsTheRead() {
    assertThat(lease.refusal("n1", THREE, Map.of("n2", 5_000L, "n3", 100L))).isEmpty();
  }

  @Test
  void refusal_noFollowerHeardWithinTheLease_refusesNamingTheCount() {
    assertThat(lease.refusal("n1", THREE, Map.of("n2", 1000L, "n3", 20_000L)))
        .contains(
            "leader n1 has heard from only 1 of 3 voters (itself included) in the last 1000 ms"
                + " and may have been deposed; retry");
  }

  @Test
  void refusal_followerNeverHeardFrom_doesNotCount() {
    assertThat(lease.refusal("n1", THREE, Map.of("n2", 10L))).isEmpty();
    assertThat(lease.refusal("n1", THREE, Map.of())).isPresent();
  }

  @Test
  void refusal_halfOfAnEvenClusterIsNoMajority() {
    List<String> four = List.of("n1", "n2", "n3", "n4");

    assertThat(lease.refusal("n1", four, Map.of("n2", 10L, "n3", 5_000L, "n4", 5_000L)))
        .isPresent();
    assertThat(lease.refusal("n1", four, Map.of("n2", 10L, "n3", 10L, "n4", 5_000L))).isEmpty();
  }

  @Test
  void refusal_singleVoter_alwaysAllowsTheRead() {
    assertThat(lease.refusal("n1", List.of("n1"), Map.of())).isEmpty();
  }

  @Test
  void refusal_nonVotersHeardFrom_doNotCount() {
    assertThat(lease.refusal("n1", THREE, Map.of("learner", 1L, "n2", 9_999L))).isPresent();
  }
}
