package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.internal.ratis.StuckFollowers.Event;
import io.baton.internal.ratis.StuckFollowers.Kind;
import io.baton.internal.ratis.StuckFollowers.Observation;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The stuck-follower rule, driven by a fake clock: 5 s without progress while behind and answering.
 */
final class StuckFollowersTest {
  private final StuckFollowers detector = new StuckFollowers(5000, 5000);
  private long nowMillis;

  @Test
  void aFollowerBehindThatAnswersButTakesNoEntriesIsStuckAfterTheThreshold() {
    assertThat(look(7957, follower(7657))).isEmpty();

    assertThat(after(4999, 7957, follower(7657))).isEmpty();
    assertThat(detector.stuck()).isEmpty();

    assertThat(after(1, 7957, follower(7657)))
        .containsExactly(new Event(Kind.STUCK, "n2", 7657, 5000));
    assertThat(detector.stuck()).containsExactly(new StuckFollowers.Stuck("n2", 5000, 7657));
  }

  @Test
  void oneWarningPerEpisode_repairRepeatedEveryThreshold_oneRecovery() {
    look(7957, follower(7657));
    assertThat(after(5000, 7957, follower(7657)))
        .extracting(Event::kind)
        .containsExactly(Kind.STUCK);

    assertThat(after(1000, 7960, follower(7657))).isEmpty();
    assertThat(after(4000, 7960, follower(7657)))
        .extracting(Event::kind)
        .containsExactly(Kind.REPAIR_AGAIN);
    assertThat(after(1000, 7960, follower(7657))).isEmpty();

    assertThat(after(500, 7970, follower(7700)))
        .containsExactly(new Event(Kind.RECOVERED, "n2", 7700, 11500));
    assertThat(detector.stuck()).isEmpty();
    assertThat(after(100, 7970, follower(7700))).isEmpty();
  }

  @Test
  void theRepairLoweringTheMatchIndexIsNotProgress_onlyPassingTheHighestIs() {
    look(7957, follower(7657));
    after(5000, 7957, follower(7657));

    assertThat(after(100, 7957, follower(7647))).isEmpty();
    assertThat(after(100, 7957, follower(7657))).isEmpty();
    assertThat(detector.stuck())
        .extracting(StuckFollowers.Stuck::matchIndex)
        .containsExactly(7657L);

    assertThat(after(100, 7957, follower(7658)))
        .extracting(Event::kind)
        .containsExactly(Kind.RECOVERED);
  }

  @Test
  void aFollowerThatStopsAnsweringIsDown_notStuck() {
    look(7957, new Observation("n2", 7657, 20));

    assertThat(after(10_000, 7957, new Observation("n2", 7657, 10_000))).isEmpty();
    assertThat(detector.stuck()).isEmpty();
  }

  @Test
  void timeSpentDownDoesNotCount_aRestartedFollowerGetsTheWholeThresholdToCatchUp() {
    look(7957, follower(7657));
    after(7000, 7957, new Observation("n2", 7657, 7000));

    assertThat(after(100, 7957, follower(7657))).isEmpty();
    assertThat(after(4800, 7957, follower(7657))).isEmpty();
    assertThat(after(200, 7957, follower(7657)))
        .extracting(Event::kind)
        .containsExactly(Kind.STUCK);
  }

  @Test
  void aFollowerThatHasEverythingCommittedIsNotStuck_evenWithoutNewEntries() {
    look(7957, follower(7957));

    assertThat(after(60_000, 7957, follower(7957))).isEmpty();
    assertThat(after(60_000, 7957, follower(7960))).isEmpty();
  }

  @Test
  void aFollowerThatSlowlyProgressesIsNotStuck() {
    look(10_000, follower(100));
    for (int i = 1; i <= 20; i++) {
      assertThat(after(4000, 10_000 + i * 100, follower(100 + i))).isEmpty();
    }
  }

  @Test
  void forgetsFollowersThatLeaveAndEverythingOnReset() {
    look(7957, follower(7657), new Observation("n3", 7000, 10));
    after(5000, 7957, follower(7657), new Observation("n3", 7000, 10));
    assertThat(detector.stuck()).hasSize(2);

    after(100, 7957, follower(7657));
    assertThat(detector.stuck()).extracting(StuckFollowers.Stuck::id).containsExactly("n2");

    detector.reset();
    assertThat(detector.stuck()).isEmpty();
    assertThat(after(100, 7957, follower(7657))).isEmpty();
  }

  private static Observation follower(long match) {
    return new Observation("n2", match, 13);
  }

  private List<Event> look(long leaderCommit, Observation... followers) {
    return detector.observe(
        TimeUnit.MILLISECONDS.toNanos(nowMillis), leaderCommit, List.of(followers));
  }

  private List<Event> after(long millis, long leaderCommit, Observation... followers) {
    nowMillis += millis;
    return look(leaderCommit, followers);
  }
}
