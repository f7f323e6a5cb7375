package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.CommandTimeoutException;
import io.baton.NodeClosedException;
import java.io.IOException;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.junit.jupiter.api.Test;

/**
 * Which failures of an ordered write make the client renew its Ratis client, and what callers of
 * the writes failed along with it are told. The renewal itself: ClientAcrossOutagesTest.
 */
class RenewableRaftClientTest {
  @Test
  void aServersAnswerKeepsTheStream() {
    assertThat(RenewableRaftClient.closesStream(new StateMachineException("rejected"))).isFalse();
    assertThat(RenewableRaftClient.closesStream(new LeaderSteppingDownException("stepping down")))
        .isFalse();
  }

  @Test
  void aFailureOfTheRequestItselfClosesTheStream() {
    assertThat(RenewableRaftClient.closesStream(new TimeoutIOException("request #7 timeout 2s")))
        .isTrue();
    assertThat(RenewableRaftClient.closesStream(new IOException("UNAVAILABLE"))).isTrue();
    assertThat(
            RenewableRaftClient.closesStream(
                new AlreadyClosedException("SlidingWindow$Client:c->RAFT is closed.")))
        .isTrue();
  }

  @Test
  void aCommandFailedWithAnEarlierTimedOutOneIsATimeoutWithUnknownOutcome() {
    Throwable failedAlong =
        new AlreadyClosedException(
            "SlidingWindow$Client:c->RAFT is closed.", new TimeoutIOException("timeout 2s"));
    assertThat(RatisBatonClient.translate(failedAlong, "command"))
        .isInstanceOf(CommandTimeoutException.class)
        .hasMessageContaining("outcome unknown");
  }

  @Test
  void aCommandFailedByClosingTheClientIsNodeClosed() {
    Throwable closed = new AlreadyClosedException("client-1 is closed.");
    Throwable failedAlong =
        new AlreadyClosedException("SlidingWindow$Client:c->RAFT is closed.", closed);
    assertThat(RatisBatonClient.translate(closed, "command"))
        .isInstanceOf(NodeClosedException.class);
    assertThat(RatisBatonClient.translate(failedAlong, "command"))
        .isInstanceOf(NodeClosedException.class);
  }
}
