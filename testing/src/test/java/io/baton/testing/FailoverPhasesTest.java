package io.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailoverPhasesTest {
  @Test
  void phasesAreTheGapsBetweenTheBoundaries() {
    FailoverPhases p = FailoverPhases.of(1_000, 1_200, 1_250, 1_300, 1_340);

    assertThat(p.detectionNanos()).isEqualTo(200);
    assertThat(p.electionNanos()).isEqualTo(50);
    assertThat(p.firstCommitNanos()).isEqualTo(50);
    assertThat(p.clientNanos()).isEqualTo(40);
    assertThat(p.totalNanos()).isEqualTo(340);
  }

  @Test
  void aReadyLineSeenAfterTheAcknowledgement_endsTheFirstCommitAtTheAcknowledgement() {
    FailoverPhases p = FailoverPhases.of(1_000, 1_200, 1_250, 1_360, 1_340);

    assertThat(p.firstCommitNanos()).isEqualTo(90);
    assertThat(p.clientNanos()).isZero();
    assertThat(p.totalNanos()).isEqualTo(340);
  }

  @Test
  void boundariesSeenLateAreCappedInOrder_noPhaseIsNegative() {
    // Candidate and leader lines both arrived after the ready line.
    FailoverPhases p = FailoverPhases.of(1_000, 1_320, 1_310, 1_300, 1_340);

    assertThat(p.detectionNanos()).isEqualTo(300);
    assertThat(p.electionNanos()).isZero();
    assertThat(p.firstCommitNanos()).isZero();
    assertThat(p.clientNanos()).isEqualTo(40);
  }
}
