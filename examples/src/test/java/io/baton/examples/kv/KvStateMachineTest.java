package io.baton.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.baton.examples.StoreReplica;
import io.baton.examples.kv.proto.CompareAndSet;
import io.baton.examples.kv.proto.Count;
import io.baton.examples.kv.proto.Delete;
import io.baton.examples.kv.proto.Entry;
import io.baton.examples.kv.proto.Get;
import io.baton.examples.kv.proto.KvCommand;
import io.baton.examples.kv.proto.KvQuery;
import io.baton.examples.kv.proto.KvReply;
import io.baton.examples.kv.proto.Put;
import io.baton.examples.kv.proto.Scan;
import io.baton.testing.DeterminismCheck;
import io.baton.testing.DeterminismReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class KvStateMachineTest {
  @TempDir Path dir;
  private final KvStateMachine kv = new KvStateMachine();
  private StoreReplica replica;

  @BeforeEach
  void open() {
    replica = new StoreReplica(kv, dir);
  }

  @AfterEach
  void close() {
    replica.close();
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private KvReply submit(KvCommand command) {
    return KvStateMachine.REPLIES.decode(replica.submit(command.toByteArray()));
  }

  private KvReply put(String key, String value) {
    return submit(
        KvCommand.newBuilder().setPut(Put.newBuilder().setKey(b(key)).setValue(b(value))).build());
  }

  private KvReply delete(String key) {
    return submit(KvCommand.newBuilder().setDelete(Delete.newBuilder().setKey(b(key))).build());
  }

  private KvReply cas(CompareAndSet.Builder cas) {
    return submit(KvCommand.newBuilder().setCas(cas).build());
  }

  private KvReply query(KvQuery query) {
    return KvStateMachine.REPLIES.decode(replica.query(query.toByteArray()));
  }

  private KvReply get(String key) {
    return query(KvQuery.newBuilder().setGet(Get.newBuilder().setKey(b(key))).build());
  }

  private long count() {
    return query(KvQuery.newBuilder().setCount(Count.getDefaultInstance()).build()).getCount();
  }

  private KvReply scan(Scan.Builder scan) {
    return query(KvQuery.newBuilder().setScan(scan).build());
  }

  @Test
  void put_newKey_storesValueAndRepliesNotFoundBefore() {
    KvReply reply = put("a", "1");

    assertThat(reply.getOk()).isTrue();
    assertThat(reply.getFound()).isFalse();
    assertThat(get("a").getFound()).isTrue();
    assertThat(get("a").getValue().toStringUtf8()).isEqualTo("1");
  }

  @Test
  void put_existingKey_replacesValueAndRepliesPrevious() {
    put("a", "1");

    KvReply reply = put("a", "2");

    assertThat(reply.getFound()).isTrue();
    assertThat(reply.getPrevious().toStringUtf8()).isEqualTo("1");
    assertThat(get("a").getValue().toStringUtf8()).isEqualTo("2");
    assertThat(count()).isEqualTo(1);
  }

  @Test
  void put_emptyValue_isStoredAndFound() {
    put("a", "");

    assertThat(get("a").getFound()).isTrue();
    assertThat(get("a").getValue().isEmpty()).isTrue();
  }

  @Test
  void get_absentKey_repliesNotFound() {
    KvReply reply = get("missing");

    assertThat(reply.getOk()).isTrue();
    assertThat(reply.getFound()).isFalse();
  }

  @Test
  void delete_existingKey_removesItAndRepliesPrevious() {
    put("a", "1");

    KvReply reply = delete("a");

    assertThat(reply.getOk()).isTrue();
    assertThat(reply.getPrevious().toStringUtf8()).isEqualTo("1");
    assertThat(get("a").getFound()).isFalse();
    assertThat(count()).isZero();
  }

  @Test
  void delete_absentKey_repliesNotOkWithoutError() {
    KvReply reply = delete("a");

    assertThat(reply.getOk()).isFalse();
    assertThat(reply.getError()).isEmpty();
    assertThat(count()).isZero();
  }

  @Test
  void cas_expectedMatches_setsNewValue() {
    put("a", "1");

    KvReply reply =
        cas(CompareAndSet.newBuilder().setKey(b("a")).setExpected(b("1")).setNewValue(b("2")));

    assertThat(reply.getOk()).isTrue();
    assertThat(reply.getPrevious().toStringUtf8()).isEqualTo("1");
    assertThat(get("a").getValue().toStringUtf8()).isEqualTo("2");
  }

  @Test
  void cas_expectedDiffers_leavesValueAndRepliesCurrent() {
    put("a", "1");

    KvReply reply =
        cas(CompareAndSet.newBuilder().setKey(b("a")).setExpected(b("9")).setNewValue(b("2")));

    assertThat(reply.getOk()).isFalse();
    assertThat(reply.getError()).isEqualTo("cas: value differs from expected");
    assertThat(reply.getFound()).isTrue();
    assertThat(reply.getPrevious().toStringUtf8()).isEqualTo("1");
    assertThat(get("a").getValue().toStringUtf8()).isEqualTo("1");
  }

  @Test
  void cas_expectedButKeyAbsent_changesNothing() {
    KvReply reply =
        cas(CompareAndSet.newBuilder().setKey(b("a")).setExpected(b("1")).setNewValue(b("2")));

    assertThat(reply.getOk()).isFalse();
    assertThat(reply.getError()).isEqualTo("cas: key is absent");
    assertThat(get("a").getFound()).isFalse();
    assertThat(count()).isZero();
  }

  @Test
  void cas_expectEmptyValue_matchesEmptyNotAbsent() {
    put("a", "");

    KvReply reply =
        cas(
            CompareAndSet.newBuilder()
                .setKey(b("a"))
                .setExpected(ByteString.EMPTY)
                .setNewValue(b("x")));

    assertThat(reply.getOk()).isTrue();
    assertThat(get("a").getValue().toStringUtf8()).isEqualTo("x");
  }

  @Test
  void cas_expectAbsentOnAbsentKey_createsIt() {
    KvReply reply =
        cas(CompareAndSet.newBuilder().setKey(b("a")).setExpectAbsent(true).setNewValue(b("1")));

    assertThat(reply.getOk()).isTrue();
    assertThat(get("a").getValue().toStringUtf8()).isEqualTo("1");
    assertThat(count()).isEqualTo(1);
  }

  @Test
  void cas_expectAbsentOnExistingKey_changesNothing() {
    put("a", "1");

    KvReply reply =
        cas(CompareAndSet.newBuilder().setKey(b("a")).setExpectAbsent(true).setNewValue(b("2")));

    assertThat(reply.getOk()).isFalse();
    assertThat(reply.getError()).isEqualTo("cas: key exists");
    assertThat(get("a").getValue().toStringUtf8()).isEqualTo("1");
  }

  @Test
  void count_followsPutsDeletesAndCas() {
    put("a", "1");
    put("b", "1");
    put("b", "2");
    cas(CompareAndSet.newBuilder().setKey(b("c")).setExpectAbsent(true).setNewValue(b("1")));
    delete("a");
    delete("zzz");

    assertThat(count()).isEqualTo(2);
  }

  @Test
  void scan_prefix_returnsMatchingEntriesInKeyOrder() {
    put("user/2", "bob");
    put("user/1", "ann");
    put("users", "not a user/ key");
    put("group/1", "admins");

    KvReply reply = scan(Scan.newBuilder().setPrefix(b("user/")));

    assertThat(reply.getEntriesList())
        .extracting(e -> e.getKey().toStringUtf8() + "=" + e.getValue().toStringUtf8())
        .containsExactly("user/1=ann", "user/2=bob");
    assertThat(reply.getMore()).isFalse();
  }

  @Test
  void scan_emptyPrefix_returnsEverything() {
    put("b", "2");
    put("a", "1");

    assertThat(scan(Scan.newBuilder()).getEntriesList())
        .extracting(Entry::getKey)
        .containsExactly(b("a"), b("b"));
  }

  @Test
  void scan_limit_cutsShortAndSaysMore() {
    for (int i = 0; i < 5; i++) {
      put("k" + i, "v" + i);
    }

    KvReply first = scan(Scan.newBuilder().setPrefix(b("k")).setLimit(2));
    KvReply rest = scan(Scan.newBuilder().setPrefix(b("k")).setLimit(10).setStartAfter(b("k1")));

    assertThat(first.getEntriesList()).extracting(Entry::getKey).containsExactly(b("k0"), b("k1"));
    assertThat(first.getMore()).isTrue();
    assertThat(rest.getEntriesList())
        .extracting(Entry::getKey)
        .containsExactly(b("k2"), b("k3"), b("k4"));
    assertThat(rest.getMore()).isFalse();
  }

  @Test
  void scan_limitAboveMaximum_rejected() {
    assertThatThrownBy(() -> scan(Scan.newBuilder().setLimit(KvStateMachine.MAX_SCAN_LIMIT + 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit (10001) must be 1 to 10000");
  }

  @Test
  void validate_malformedBytes_rejected() {
    assertThatThrownBy(() -> kv.validate(new byte[] {(byte) 0xFF, 0x01, 0x02}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed protobuf message");
  }

  @Test
  void validate_emptyCommand_rejectedAsNoOperation() {
    assertThatThrownBy(() -> kv.validate(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no operation this version knows");
  }

  @Test
  void validate_unknownOperation_rejectedAsNoOperation() {
    // Field 9, length-delimited, empty: what an operation added by a newer client looks like.
    byte[] unknown = {(byte) ((9 << 3) | 2), 0};

    assertThatThrownBy(() -> kv.validate(unknown))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no operation this version knows");
  }

  @Test
  void validate_emptyKey_rejectedForEveryOperation() {
    KvCommand put = KvCommand.newBuilder().setPut(Put.newBuilder().setValue(b("v"))).build();
    KvCommand delete = KvCommand.newBuilder().setDelete(Delete.getDefaultInstance()).build();
    KvCommand cas =
        KvCommand.newBuilder().setCas(CompareAndSet.newBuilder().setExpectAbsent(true)).build();

    assertThatThrownBy(() -> kv.validate(put.toByteArray()))
        .hasMessage("kv put: key must not be empty");
    assertThatThrownBy(() -> kv.validate(delete.toByteArray()))
        .hasMessage("kv delete: key must not be empty");
    assertThatThrownBy(() -> kv.validate(cas.toByteArray()))
        .hasMessage("kv cas: key must not be empty");
  }

  @Test
  void validate_casWithBothOrNeitherCondition_rejected() {
    KvCommand both =
        KvCommand.newBuilder()
            .setCas(
                CompareAndSet.newBuilder().setKey(b("a")).setExpected(b("1")).setExpectAbsent(true))
            .build();
    KvCommand neither =
        KvCommand.newBuilder().setCas(CompareAndSet.newBuilder().setKey(b("a"))).build();

    assertThatThrownBy(() -> kv.validate(both.toByteArray()))
        .hasMessage("kv cas: give exactly one of expected and expect_absent");
    assertThatThrownBy(() -> kv.validate(neither.toByteArray()))
        .hasMessage("kv cas: give exactly one of expected and expect_absent");
  }

  @Test
  void apply_commandThatSkippedValidation_repliesErrorAndChangesNothing() {
    KvReply reply = KvStateMachine.REPLIES.decode(replica.apply(new byte[0]));

    assertThat(reply.getOk()).isFalse();
    assertThat(reply.getError()).contains("no operation");
    assertThat(count()).isZero();
  }

  @Test
  void query_malformedOrEmpty_rejected() {
    assertThatThrownBy(() -> replica.query(new byte[] {(byte) 0xFF}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed protobuf message");
    assertThatThrownBy(() -> replica.query(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kv query has no operation");
    assertThatThrownBy(() -> get(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kv get: key must not be empty");
  }

  @Test
  void apply_generatedCommands_isDeterministic(@TempDir Path checkDir) {
    Random random = new Random(42);
    List<byte[]> commands = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ByteString key = b(i % 50 == 49 ? "" : "key-" + random.nextInt(20));
      ByteString value = b("v" + random.nextInt(4));
      KvCommand.Builder c = KvCommand.newBuilder();
      switch (random.nextInt(4)) {
        case 0:
          c.setDelete(Delete.newBuilder().setKey(key));
          break;
        case 1:
          CompareAndSet.Builder cas = CompareAndSet.newBuilder().setKey(key).setNewValue(value);
          if (random.nextBoolean()) {
            cas.setExpectAbsent(true);
          } else {
            cas.setExpected(b("v" + random.nextInt(4)));
          }
          c.setCas(cas);
          break;
        default:
          c.setPut(Put.newBuilder().setKey(key).setValue(value));
          break;
      }
      commands.add(c.build().toByteArray());
    }

    DeterminismReport result =
        DeterminismCheck.newBuilder(KvStateMachine::new).directory(checkDir).build().run(commands);

    result.assertDeterministic();
    assertThat(result.rejected()).hasSize(6);
    assertThat(result.applied()).isEqualTo(294);
  }
}
