package io.baton.examples.kv;

import com.google.protobuf.ByteString;
import io.baton.codec.ProtobufCodec;
import io.baton.examples.kv.proto.CompareAndSet;
import io.baton.examples.kv.proto.Entry;
import io.baton.examples.kv.proto.KvCommand;
import io.baton.examples.kv.proto.KvQuery;
import io.baton.examples.kv.proto.KvReply;
import io.baton.examples.kv.proto.Scan;
import io.baton.statemachine.Codec;
import io.baton.statemachine.Command;
import io.baton.statemachine.Keys;
import io.baton.statemachine.StateMachine;
import io.baton.statemachine.StateReader;
import io.baton.statemachine.StateWriter;
import java.util.Arrays;
import java.util.Set;

/**
 * A replicated key-value store with put, delete and compare-and-set, whose commands, queries and
 * replies are the protobuf messages of {@code kv.proto} ({@link KvCommand}, {@link KvQuery}, {@link
 * KvReply}). {@link KvClient} wraps them in a typed API over UTF-8 strings.
 *
 * <p>Entries live in the keyspace {@value #DATA}; the number of keys is kept in {@value #META} so
 * that counting does not scan the store. Stateless and thread-safe.
 */
public final class KvStateMachine implements StateMachine {
  /** The keyspace holding the entries. */
  public static final String DATA = "kv";

  /** The keyspace holding the key count. */
  public static final String META = "meta";

  /** The largest scan limit; bounds the size of one reply. */
  public static final int MAX_SCAN_LIMIT = 10_000;

  static final int DEFAULT_SCAN_LIMIT = 100;

  /** The codec of commands. */
  public static final Codec<KvCommand> COMMANDS = ProtobufCodec.of(KvCommand.parser());

  /** The codec of queries. */
  public static final Codec<KvQuery> QUERIES = ProtobufCodec.of(KvQuery.parser());

  /** The codec of replies. */
  public static final Codec<KvReply> REPLIES = ProtobufCodec.of(KvReply.parser());

  private static final byte[] COUNT_KEY = Keys.utf8("count");

  @Override
  public Set<String> keyspaces() {
    return Set.of(DATA, META);
  }

  @Override
  public void validate(byte[] command) {
    KvCommand c = COMMANDS.decode(command);
    String problem = problem(c);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Why {@code c} cannot be applied, or null if it can. */
  private static String problem(KvCommand c) {
    switch (c.getOpCase()) {
      case PUT:
        return c.getPut().getKey().isEmpty() ? "kv put: key must not be empty" : null;
      case DELETE:
        return c.getDelete().getKey().isEmpty() ? "kv delete: key must not be empty" : null;
      case CAS:
        CompareAndSet cas = c.getCas();
        if (cas.getKey().isEmpty()) {
          return "kv cas: key must not be empty";
        }
        if (cas.hasExpected() == cas.getExpectAbsent()) {
          return "kv cas: give exactly one of expected and expect_absent";
        }
        return null;
      default:
        // An unknown operation parses as OP_NOT_SET, its field kept as an unknown field.
        return "kv command has no operation this version knows (empty, or from a newer client)";
    }
  }

  @Override
  public byte[] apply(Command command, StateWriter state) {
    KvCommand c = COMMANDS.decode(command.bytes());
    String problem = problem(c);
    if (problem != null) {
      // validate() refused this on the leader, so only a leader running another version can have
      // logged it. A reply is deterministic on every replica; throwing would halt all of them.
      return error(problem);
    }
    switch (c.getOpCase()) {
      case PUT:
        return put(c.getPut().getKey().toByteArray(), c.getPut().getValue().toByteArray(), state);
      case DELETE:
        return delete(c.getDelete().getKey().toByteArray(), state);
      default:
        return compareAndSet(c.getCas(), state);
    }
  }

  private static byte[] put(byte[] key, byte[] value, StateWriter state) {
    byte[] previous = state.get(DATA, key);
    state.put(DATA, key, value);
    if (previous == null) {
      addToCount(state, 1);
    }
    return before(KvReply.newBuilder().setOk(true), previous).build().toByteArray();
  }

  private static byte[] delete(byte[] key, StateWriter state) {
    byte[] previous = state.get(DATA, key);
    if (previous != null) {
      state.delete(DATA, key);
      addToCount(state, -1);
    }
    return before(KvReply.newBuilder().setOk(previous != null), previous).build().toByteArray();
  }

  private static byte[] compareAndSet(CompareAndSet cas, StateWriter state) {
    byte[] key = cas.getKey().toByteArray();
    byte[] current = state.get(DATA, key);
    KvReply.Builder reply = before(KvReply.newBuilder(), current);
    if (cas.getExpectAbsent() && current != null) {
      return reply.setError("cas: key exists").build().toByteArray();
    }
    if (cas.hasExpected()
        && (current == null || !Arrays.equals(current, cas.getExpected().toByteArray()))) {
      return reply
          .setError(current == null ? "cas: key is absent" : "cas: value differs from expected")
          .build()
          .toByteArray();
    }
    state.put(DATA, key, cas.getNewValue().toByteArray());
    if (current == null) {
      addToCount(state, 1);
    }
    return reply.setOk(true).build().toByteArray();
  }

  private static KvReply.Builder before(KvReply.Builder reply, byte[] previous) {
    if (previous != null) {
      reply.setFound(true).setPrevious(ByteString.copyFrom(previous));
    }
    return reply;
  }

  private static void addToCount(StateWriter state, long delta) {
    state.put(META, COUNT_KEY, Keys.longBytes(Keys.toLong(state.get(META, COUNT_KEY)) + delta));
  }

  private static byte[] error(String message) {
    return KvReply.newBuilder().setError(message).build().toByteArray();
  }

  @Override
  public byte[] query(byte[] query, StateReader state) {
    KvQuery q = QUERIES.decode(query);
    switch (q.getOpCase()) {
      case GET:
        if (q.getGet().getKey().isEmpty()) {
          throw new IllegalArgumentException("kv get: key must not be empty");
        }
        byte[] value = state.get(DATA, q.getGet().getKey().toByteArray());
        KvReply.Builder reply = KvReply.newBuilder().setOk(true);
        if (value != null) {
          reply.setFound(true).setValue(ByteString.copyFrom(value));
        }
        return reply.build().toByteArray();
      case SCAN:
        return scan(q.getScan(), state);
      case COUNT:
        return KvReply.newBuilder()
            .setOk(true)
            .setCount(Keys.toLong(state.get(META, COUNT_KEY)))
            .build()
            .toByteArray();
      default:
        throw new IllegalArgumentException(
            "kv query has no operation this version knows (empty, or from a newer client)");
    }
  }

  private static byte[] scan(Scan scan, StateReader state) {
    int limit = scan.getLimit() == 0 ? DEFAULT_SCAN_LIMIT : scan.getLimit();
    if (limit < 0 || limit > MAX_SCAN_LIMIT) {
      // limit is a uint32: values above Integer.MAX_VALUE arrive negative.
      throw new IllegalArgumentException(
          "kv scan: limit ("
              + Integer.toUnsignedString(limit)
              + ") must be 1 to "
              + MAX_SCAN_LIMIT);
    }
    byte[] prefix = scan.getPrefix().toByteArray();
    byte[] from = prefix;
    if (scan.hasStartAfter()) {
      // The smallest key after start_after is start_after followed by a zero byte.
      byte[] next = Keys.concat(scan.getStartAfter().toByteArray(), new byte[1]);
      if (Arrays.compareUnsigned(next, from) > 0) {
        from = next;
      }
    }
    KvReply.Builder reply = KvReply.newBuilder().setOk(true);
    state.scan(
        DATA,
        from,
        Keys.prefixEnd(prefix),
        (k, v) -> {
          if (reply.getEntriesCount() == limit) {
            reply.setMore(true);
            return false;
          }
          reply.addEntries(
              Entry.newBuilder().setKey(ByteString.copyFrom(k)).setValue(ByteString.copyFrom(v)));
          return true;
        });
    return reply.build().toByteArray();
  }
}
