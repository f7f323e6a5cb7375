package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.baton.BatonAdmin;
import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.CommandRejectedException;
import io.baton.NodeClosedException;
import io.baton.ReadConsistency;
import io.baton.ReplyLostException;
import io.baton.VerifyResult;
import io.baton.statemachine.Command;
import io.baton.statemachine.Keys;
import io.baton.statemachine.StateMachine;
import io.baton.statemachine.StateReader;
import io.baton.statemachine.StateWriter;
import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntPredicate;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client-side command batching (group commit) on a real three-node cluster: commands fired
 * concurrently share log entries, yet each keeps its own reply, its own rejection, its place in the
 * submission order and its exactly-once guarantee, and every replica ends in the same state.
 */
final class CommandBatchingTest {
  @TempDir Path dir;

  /**
   * Commands {@code seq <n> [padding]} (accepted) and {@code bad <n>} (refused by validate). Apply
   * records the last sequence number and counts commands that arrive out of order, in the
   * replicated state, and keeps the sequence numbers it applied in memory; it replies with the
   * sequence number and the command's index, position and id.
   */
  private static final class RecordingSequenceStateMachine implements StateMachine {
    private static final byte[] LAST = Keys.utf8("last");
    private static final byte[] COUNT = Keys.utf8("count");
    private static final byte[] OUT_OF_ORDER = Keys.utf8("outOfOrder");
    private static final byte[] APPLIED_BAD = Keys.utf8("appliedBad");

    final List<Long> applied = Collections.synchronizedList(new ArrayList<>());

    static byte[] seq(int n) {
      return Keys.utf8("seq " + n);
    }

    static byte[] bad(int n) {
      return Keys.utf8("bad " + n);
    }

    @Override
    public void validate(byte[] command) {
      String s = Keys.utf8(command);
      if (s.startsWith("bad ")) {
        throw new IllegalArgumentException("bad command " + s.substring(4));
      }
      if (!s.startsWith("seq ")) {
        throw new IllegalArgumentException("expected 'seq <n>', got '" + s + "'");
      }
    }

    @Override
    public byte[] apply(Command command, StateWriter state) {
      String s = Keys.utf8(command.bytes());
      if (s.startsWith("bad ")) {
        state.put(APPLIED_BAD, Keys.longBytes(Keys.toLong(state.get(APPLIED_BAD)) + 1));
        return new byte[0];
      }
      long seq = Long.parseLong(s.split(" ", 3)[1]);
      byte[] last = state.get(LAST);
      if (last != null && seq <= Keys.toLong(last)) {
        state.put(OUT_OF_ORDER, Keys.longBytes(Keys.toLong(state.get(OUT_OF_ORDER)) + 1));
      }
      state.put(LAST, Keys.longBytes(seq));
      state.put(COUNT, Keys.longBytes(Keys.toLong(state.get(COUNT)) + 1));
      applied.add(seq);
      return ByteBuffer.allocate(4 * Long.BYTES)
          .putLong(seq)
          .putLong(command.index())
          .putLong(command.position())
          .putLong(command.id())
          .array();
    }

    @Override
    public byte[] query(byte[] query, StateReader state) {
      return switch (Keys.utf8(query)) {
        case "last", "count", "outOfOrder", "appliedBad" -> {
          byte[] v = state.get(Keys.utf8(Keys.utf8(query)));
          yield Keys.longBytes(v == null ? -1 : Keys.toLong(v));
        }
        default -> throw new IllegalArgumentException("unknown query " + Keys.utf8(query));
      };
    }
  }

  /** A decoded reply of {@link RecordingSequenceStateMachine}. */
  private record Applied(long seq, long index, long position, long id) {
    static Applied of(byte[] reply) {
      ByteBuffer b = ByteBuffer.wrap(reply);
      assertThat(reply).hasSize(4 * Long.BYTES);
      return new Applied(b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }
  }

  private static LocalCluster startCluster(Path dir) {
    LocalCluster cluster = LocalCluster.start(3, dir, id -> new RecordingSequenceStateMachine());
    cluster.awaitLeader();
    return cluster;
  }

  private static RecordingSequenceStateMachine machine(LocalCluster cluster, String id) {
    return (RecordingSequenceStateMachine) cluster.stateMachine(id);
  }

  private static long query(BatonClient client, String what) {
    return Keys.toLong(client.query(Keys.utf8(what)));
  }

  /** Fires {@code n} commands without waiting; those matching {@code bad} are refused ones. */
  private static List<CompletableFuture<byte[]>> burst(
      BatonClient client, int n, IntPredicate bad) {
    List<CompletableFuture<byte[]>> futures = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      futures.add(
          client.submitAsync(
              bad.test(i)
                  ? RecordingSequenceStateMachine.bad(i)
                  : RecordingSequenceStateMachine.seq(i)));
    }
    return futures;
  }

  /**
   * Checks each good command's reply is its own and that (index, position) strictly increase in
   * submission order, and each bad one failed with its own rejection; returns the good replies in
   * submission order.
   */
  private static List<Applied> checkReplies(
      List<CompletableFuture<byte[]>> futures, IntPredicate bad) {
    List<Applied> replies = new ArrayList<>();
    Applied previous = null;
    for (int i = 0; i < futures.size(); i++) {
      CompletableFuture<byte[]> f = futures.get(i);
      if (bad.test(i)) {
        Throwable t = catchThrowable(f::join);
        assertThat(t).as("command %s", i).isInstanceOf(CompletionException.class);
        assertThat(t.getCause())
            .as("command %s", i)
            .isInstanceOf(CommandRejectedException.class)
            .hasMessage("command rejected: bad command " + i);
        continue;
      }
      Applied a = Applied.of(f.join());
      assertThat(a.seq()).as("reply to command %s", i).isEqualTo(i);
      assertThat(a.id())
          .as("id of %s", a)
          .isEqualTo(a.index() * Command.MAX_PER_ENTRY + a.position());
      assertThat(a.position()).isBetween(0L, (long) Command.MAX_PER_ENTRY - 1);
      if (previous != null) {
        assertThat(a.id()).as("%s after %s", a, previous).isGreaterThan(previous.id());
        if (a.index() == previous.index()) {
          assertThat(a.position())
              .as("%s after %s", a, previous)
              .isGreaterThan(previous.position());
        } else {
          assertThat(a.index()).as("%s after %s", a, previous).isGreaterThan(previous.index());
        }
      }
      previous = a;
      replies.add(a);
    }
    return replies;
  }

  private static List<Long> goodSequence(int n, IntPredicate bad) {
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (!bad.test(i)) {
        seqs.add((long) i);
      }
    }
    return seqs;
  }

  private static long distinctIndexes(List<Applied> replies) {
    return replies.stream().mapToLong(Applied::index).distinct().count();
  }

  @Test
  void concurrentSubmits_shareLogEntries_andEachGetsItsOwnReplyInSubmissionOrder() {
    int n = 2000;
    IntPredicate none = i -> false;
    try (LocalCluster cluster = startCluster(dir)) {
      BatonClient client = cluster.newClient();

      List<Applied> replies = checkReplies(burst(client, n, none), none);

      assertThat(replies).hasSize(n);
      assertThat(replies.stream().map(Applied::id).distinct().count()).isEqualTo(n);
      assertThat(distinctIndexes(replies)).as("log entries used by %s commands", n).isLessThan(n);
      assertThat(replies)
          .as("commands sent after the first in a batch")
          .anyMatch(a -> a.position() > 0);
      assertThat(query(client, "count")).isEqualTo(n);
      assertThat(query(client, "last")).isEqualTo(n - 1);
      assertThat(query(client, "outOfOrder")).as("commands applied out of order").isEqualTo(-1);
      BatonNode leader = cluster.awaitLeader();
      assertThat(machine(cluster, leader.id()).applied).isEqualTo(goodSequence(n, none));
    }
  }

  @Test
  void refusedCommandsInABatch_failAlone_andTheOthersOfTheBatchAreApplied() {
    int n = 500;
    IntPredicate bad = i -> i % 5 == 2;
    try (LocalCluster cluster = startCluster(dir)) {
      BatonClient client = cluster.newClient();
      List<CompletableFuture<byte[]>> futures = burst(client, n, bad);

      List<Applied> replies = checkReplies(futures, bad);

      assertThat(replies).hasSize(n - n / 5);
      // A bad command between two good ones of the same entry was refused inside a batch.
      Set<Integer> refusedInsideABatch = new HashSet<>();
      for (int i = 1; i < n - 1; i++) {
        if (bad.test(i)) {
          Applied before = Applied.of(futures.get(i - 1).join());
          Applied after = Applied.of(futures.get(i + 1).join());
          if (before.index() == after.index()) {
            assertThat(after.position())
                .as("positions around refused %s", i)
                .isEqualTo(before.position() + 2);
            refusedInsideABatch.add(i);
          }
        }
      }
      assertThat(refusedInsideABatch).as("bad commands refused inside a batch").isNotEmpty();
      assertThat(query(client, "count")).isEqualTo(replies.size());
      assertThat(query(client, "appliedBad")).as("refused commands applied").isEqualTo(-1);
      assertThat(query(client, "outOfOrder")).isEqualTo(-1);
      BatonNode leader = cluster.awaitLeader();
      assertThat(machine(cluster, leader.id()).applied).isEqualTo(goodSequence(n, bad));
    }
  }

  @Test
  void withoutBatching_aBurstWorks_andNoTwoCommandsShareAnIndex() {
    int n = 300;
    IntPredicate bad = i -> i % 7 == 3;
    try (LocalCluster cluster = startCluster(dir);
        BatonClient client =
            BatonClient.newBuilder().peers(cluster.peers()).commandBatching(false).build()) {
      List<Applied> replies = checkReplies(burst(client, n, bad), bad);

      assertThat(replies).hasSize(goodSequence(n, bad).size());
      assertThat(distinctIndexes(replies)).as("log entries used").isEqualTo(replies.size());
      assertThat(replies).allMatch(a -> a.position() == 0);
      assertThat(query(client, "count")).isEqualTo(replies.size());
      assertThat(query(client, "appliedBad")).isEqualTo(-1);
      assertThat(query(client, "outOfOrder")).isEqualTo(-1);
    }
  }

  @Test
  void batchedBurst_leavesEveryReplicaInTheSameState() {
    int n = 1500;
    IntPredicate bad = i -> i % 11 == 0;
    try (LocalCluster cluster = startCluster(dir)) {
      BatonClient client = cluster.newClient();
      List<Applied> replies = checkReplies(burst(client, n, bad), bad);
      assertThat(distinctIndexes(replies)).isLessThan(replies.size());

      cluster.awaitConverged();
      BatonAdmin admin = cluster.admin();
      VerifyResult verify = admin.verify();

      assertThat(verify.consistent()).as("verify %s", verify).isTrue();
      assertThat(verify.digests()).containsOnlyKeys("n1", "n2", "n3");
      for (String id : List.of("n1", "n2", "n3")) {
        assertThat(Keys.toLong(client.queryNode(id, Keys.utf8("count"), ReadConsistency.STALE)))
            .as("count on %s", id)
            .isEqualTo(replies.size());
        assertThat(Keys.toLong(client.queryNode(id, Keys.utf8("last"), ReadConsistency.STALE)))
            .as("last on %s", id)
            .isEqualTo(n - 1);
        assertThat(machine(cluster, id).applied)
            .as("apply order on %s", id)
            .isEqualTo(goodSequence(n, bad));
      }
    }
  }

  @Test
  void oversizedCommandInABatch_isRejectedAlone_andTheOthersAreApplied() {
    int n = 300;
    IntPredicate big = i -> i % 6 == 4;
    String padding = "x".repeat(2000);
    try (LocalCluster cluster =
        LocalCluster.start(
            3, dir, id -> new RecordingSequenceStateMachine(), b -> b.maxCommandBytes(1024))) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      List<CompletableFuture<byte[]>> futures = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        futures.add(client.submitAsync(Keys.utf8("seq " + i + (big.test(i) ? " " + padding : ""))));
      }

      int applied = 0;
      long previousId = -1;
      Set<Long> sharedIndexes = new HashSet<>();
      for (int i = 0; i < n; i++) {
        if (big.test(i)) {
          int size = ("seq " + i + " " + padding).length();
          Throwable t = catchThrowable(futures.get(i)::join);
          assertThat(t.getCause())
              .as("command %s", i)
              .isInstanceOf(CommandRejectedException.class)
              .hasMessage(
                  "command rejected: command is "
                      + size
                      + " bytes; the maximum is 1024 (NodeConfig.maxCommandBytes)");
          continue;
        }
        Applied a = Applied.of(futures.get(i).join());
        assertThat(a.seq()).isEqualTo(i);
        assertThat(a.id()).isGreaterThan(previousId);
        if (a.position() > 0) {
          sharedIndexes.add(a.index());
        }
        previousId = a.id();
        applied++;
      }
      assertThat(sharedIndexes).as("entries holding a batch").isNotEmpty();
      assertThat(query(client, "count")).isEqualTo(applied);
      assertThat(query(client, "outOfOrder")).isEqualTo(-1);
    }
  }

  @Test
  void leaderKilled_duringABatchedBurst_everyCommandIsAppliedOnceInOrder() {
    int n = 3000;
    IntPredicate none = i -> false;
    try (LocalCluster cluster = startCluster(dir)) {
      BatonNode oldLeader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      List<CompletableFuture<byte[]>> futures = new ArrayList<>(n);
      long pendingAtKill = 0;
      for (int i = 0; i < n; i++) {
        futures.add(client.submitAsync(RecordingSequenceStateMachine.seq(i)));
        if (i == n / 3) {
          pendingAtKill = futures.stream().filter(f -> !f.isDone()).count();
          cluster.kill(oldLeader.id());
        }
      }

      List<Applied> replies = checkReplies(futures, none);
      assertThat(pendingAtKill)
          .as("commands waiting or in flight when the leader died")
          .isPositive();

      assertThat(replies).hasSize(n);
      assertThat(query(client, "count")).as("commands applied").isEqualTo(n);
      assertThat(query(client, "outOfOrder")).as("commands applied twice or late").isEqualTo(-1);
      cluster.awaitLeader();
      cluster.awaitConverged();
      for (String id : cluster.liveIds()) {
        assertThat(machine(cluster, id).applied)
            .as("apply order on %s", id)
            .isEqualTo(goodSequence(n, none));
      }
    }
  }

  /*
   * BatonClient.close promises NodeClosedException. Commands still waiting in the batcher at close
   * once failed with a plain BatonException wrapping Ratis's IllegalStateException ("nextSeqNum=…
   * but SlidingWindow$Client …"): the batcher kept sending from inside the callbacks of Ratis's
   * SlidingWindow.fail.
   */
  @Test
  void close_withCommandsWaitingAndInFlight_failsEveryUnfinishedFutureWithNodeClosed() {
    int n = 5000;
    try (LocalCluster cluster = startCluster(dir)) {
      BatonClient client = BatonClient.newBuilder().peers(cluster.peers()).build();
      List<CompletableFuture<byte[]>> futures = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        futures.add(client.submitAsync(RecordingSequenceStateMachine.seq(i)));
      }
      long pendingAtClose = futures.stream().filter(f -> !f.isDone()).count();
      client.close();

      cluster.await(
          "every future to complete after close",
          Duration.ofSeconds(20),
          () -> futures.stream().allMatch(CompletableFuture::isDone));
      assertThat(pendingAtClose).as("commands waiting or in flight at close").isPositive();
      for (CompletableFuture<byte[]> f : futures) {
        if (f.isCompletedExceptionally()) {
          assertThat(catchThrowable(f::join).getCause()).isInstanceOf(NodeClosedException.class);
        }
      }
    }
  }

  @Test
  void retriedBatch_afterTheNodeRestarted_isNotAppliedAgain_andReportsTheRepliesLost() {
    try (LocalCluster cluster = LocalCluster.start(1, dir, id -> new RegisterStateMachine())) {
      cluster.awaitLeader();
      RaftGroup group = RaftConfig.group("baton", cluster.peers());
      try (RaftClient raw =
          RaftClient.newBuilder().setRaftGroup(group).setProperties(new RaftProperties()).build()) {
        RaftClientRequest batch =
            rawRequest(
                group,
                "n1",
                ClientId.randomId(),
                9,
                CommandBatch.encodeCommands(
                    List.of(RegisterStateMachine.incr("c"), RegisterStateMachine.incr("c"))));
        ByteString first = send(raw, batch).getMessage().getContent();
        assertThat(CommandBatcher.unframeBatch(first, 2)).hasSize(2);

        cluster.kill("n1");
        cluster.restart("n1");
        cluster.awaitLeader();
        ByteString afterRestart = send(raw, batch).getMessage().getContent();

        assertThat(afterRestart.toByteArray()).containsExactly(Replies.LOST);
        assertThat(catchThrowable(() -> CommandBatcher.unframeBatch(afterRestart, 2)))
            .isInstanceOf(ReplyLostException.class)
            .hasMessageContaining("commands were applied, but their replies were lost");
        BatonClient client = cluster.newClient();
        assertThat(Keys.toLong(client.query(RegisterStateMachine.counter("c"))))
            .as("increments applied")
            .isEqualTo(2);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  static RaftClientRequest rawRequest(
      RaftGroup group, String server, ClientId clientId, long callId, ByteString message) {
    return RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(RaftPeerId.valueOf(server))
        .setGroupId(group.getGroupId())
        .setCallId(callId)
        .setMessage(Message.valueOf(message))
        .setType(RaftClientRequest.writeRequestType())
        .build();
  }

  /**
   * Sends {@code request} until it is answered: successfully, or with the state machine's refusal.
   * Connection errors and a not-yet-ready leader are retried.
   */
  static RaftClientReply send(RaftClient raw, RaftClientRequest request) {
    return RawRequests.sendUntil(
        raw,
        request,
        reply -> reply.isSuccess() || reply.getException() instanceof StateMachineException);
  }

  @Test
  void retriedBatch_sameClientIdAndCallId_isAnsweredFromTheRetryCache_andAppliedOnce() {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      BatonNode leader = cluster.awaitLeader();
      RaftGroup group = RaftConfig.group("baton", cluster.peers());
      try (RaftClient raw =
          RaftClient.newBuilder().setRaftGroup(group).setProperties(new RaftProperties()).build()) {
        RaftClientRequest batch =
            rawRequest(
                group,
                leader.id(),
                ClientId.randomId(),
                7,
                CommandBatch.encodeCommands(
                    List.of(
                        RegisterStateMachine.incr("c"),
                        Keys.utf8("nonsense"),
                        RegisterStateMachine.incr("c"),
                        RegisterStateMachine.incr("d"))));

        RaftClientReply firstReply = send(raw, batch);
        assertThat(firstReply.isSuccess()).as("%s", firstReply).isTrue();
        ByteString first = firstReply.getMessage().getContent();
        RaftClientReply retriedReply = send(raw, batch);
        assertThat(retriedReply.isSuccess()).as("%s", retriedReply).isTrue();
        ByteString retried = retriedReply.getMessage().getContent();

        assertThat(retried.toByteArray()).isEqualTo(first.toByteArray());
        List<CommandBatch.Item> replies = CommandBatcher.unframeBatch(first, 4);
        assertThat(replies)
            .extracting(CommandBatch.Item::rejected)
            .containsExactly(false, true, false, false);
        assertThat(Keys.toLong(replies.get(0).bytes())).isEqualTo(1);
        assertThat(replies.get(1).reason()).startsWith("expected 'put <key> <value>'");
        assertThat(Keys.toLong(replies.get(2).bytes())).isEqualTo(2);
        assertThat(Keys.toLong(replies.get(3).bytes())).isEqualTo(1);
        BatonClient client = cluster.newClient();
        assertThat(Keys.toLong(client.query(RegisterStateMachine.counter("c"))))
            .as("increments of c applied")
            .isEqualTo(2);
        assertThat(Keys.toLong(client.query(RegisterStateMachine.counter("d"))))
            .as("increments of d applied")
            .isEqualTo(1);
        cluster.awaitConverged();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void rawBatch_malformedOrMarkedRejectedByTheClient_isRefusedWhole() {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      BatonNode leader = cluster.awaitLeader();
      RaftGroup group = RaftConfig.group("baton", cluster.peers());
      ClientId clientId = ClientId.randomId();
      try (RaftClient raw =
          RaftClient.newBuilder().setRaftGroup(group).setProperties(new RaftProperties()).build()) {
        ByteString markedRejected =
            CommandBatch.encode(
                List.of(
                    CommandBatch.Item.command(RegisterStateMachine.incr("c")),
                    CommandBatch.Item.rejected("forged")));
        ByteString trailing =
            LegacyCommandBatch.encode(
                    List.of(CommandBatch.Item.command(RegisterStateMachine.incr("c"))))
                .concat(ByteString.copyFrom(new byte[] {0}));

        RaftClientReply forged =
            send(raw, rawRequest(group, leader.id(), clientId, 1, markedRejected));
        RaftClientReply malformed =
            send(raw, rawRequest(group, leader.id(), clientId, 2, trailing));

        assertThat(RatisBatonClient.translate(forged.getException(), "command"))
            .isInstanceOf(CommandRejectedException.class)
            .hasMessage("command rejected: batch item 1 is marked rejected by a client");
        assertThat(RatisBatonClient.translate(malformed.getException(), "command"))
            .isInstanceOf(CommandRejectedException.class)
            .hasMessage("command rejected: batch has 1 bytes after its last item");
        BatonClient client = cluster.newClient();
        assertThat(Keys.toLong(client.query(RegisterStateMachine.counter("c"))))
            .as("increments applied")
            .isZero();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
  }
}
