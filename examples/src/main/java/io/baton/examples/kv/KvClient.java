package io.baton.examples.kv;

import com.google.protobuf.ByteString;
import io.baton.BatonClient;
import io.baton.CommandRejectedException;
import io.baton.ReadConsistency;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A typed client for a cluster running {@link KvStateMachine}: string keys and values, stored as
 * UTF-8.
 *
 * <p>Every method blocks and fails as the underlying {@link BatonClient} does: a write that throws
 * {@link io.baton.CommandTimeoutException} may or may not have been applied. Writes are applied at
 * most once even when the client retries them across a failover. Thread-safe. Does not own the
 * {@code BatonClient}: close that yourself.
 */
public final class KvClient {
  private final BatonClient client;

  /** A client sending its commands and queries through {@code client}. */
  public KvClient(BatonClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /**
   * Sets {@code key} to {@code value}.
   *
   * @return the value it replaced, if any
   */
  public Optional<String> put(String key, String value) {
    KvReply reply =
        submit(
            KvCommand.newBuilder()
                .setPut(Put.newBuilder().setKey(bytes(key)).setValue(bytes(value)))
                .build());
    if (!reply.getOk()) {
      throw new CommandRejectedException(reply.getError());
    }
    return previous(reply);
  }

  /** The value of {@code key}, read linearizably from the leader. */
  public Optional<String> get(String key) {
    return get(key, ReadConsistency.LINEARIZABLE);
  }

  /** The value of {@code key}, read with {@code consistency}. */
  public Optional<String> get(String key, ReadConsistency consistency) {
    return found(query(getQuery(key), consistency));
  }

  /**
   * The value of {@code key} as the node {@code nodeId} answers it (see {@link
   * BatonClient#queryNode}): with {@link ReadConsistency#STALE}, that replica's own state.
   *
   * @throws IllegalArgumentException if {@code nodeId} is not one of the client's peers, or {@code
   *     consistency} is {@link ReadConsistency#LINEARIZABLE}
   */
  public Optional<String> get(String key, ReadConsistency consistency, String nodeId) {
    return found(
        KvStateMachine.REPLIES.decode(
            client.queryNode(nodeId, getQuery(key).toByteArray(), consistency)));
  }

  /**
   * Removes {@code key}.
   *
   * @return whether it existed
   */
  public boolean delete(String key) {
    KvReply reply =
        submit(KvCommand.newBuilder().setDelete(Delete.newBuilder().setKey(bytes(key))).build());
    if (!reply.getError().isEmpty()) {
      throw new CommandRejectedException(reply.getError());
    }
    return reply.getOk();
  }

  /**
   * Sets {@code key} to {@code newValue} if it holds {@code expected}, or, if {@code expected} is
   * null, if it is absent.
   *
   * @return whether the value was set; {@code false} means the key held something else and nothing
   *     changed
   */
  public boolean compareAndSet(String key, String expected, String newValue) {
    CompareAndSet.Builder cas = CompareAndSet.newBuilder().setKey(bytes(key));
    if (expected == null) {
      cas.setExpectAbsent(true);
    } else {
      cas.setExpected(bytes(expected));
    }
    cas.setNewValue(bytes(newValue));
    return submit(KvCommand.newBuilder().setCas(cas).build()).getOk();
  }

  /** The number of keys, read linearizably. */
  public long count() {
    return query(
            KvQuery.newBuilder().setCount(Count.getDefaultInstance()).build(),
            ReadConsistency.LINEARIZABLE)
        .getCount();
  }

  /**
   * Up to {@code limit} entries whose keys start with {@code prefix}, in key order, read
   * linearizably.
   *
   * @param limit 1 to {@value KvStateMachine#MAX_SCAN_LIMIT}
   * @return an unmodifiable map in key order
   */
  public Map<String, String> scan(String prefix, int limit) {
    if (limit < 1 || limit > KvStateMachine.MAX_SCAN_LIMIT) {
      throw new IllegalArgumentException(
          "limit (" + limit + ") must be 1 to " + KvStateMachine.MAX_SCAN_LIMIT);
    }
    KvReply reply =
        query(
            KvQuery.newBuilder()
                .setScan(Scan.newBuilder().setPrefix(bytes(prefix)).setLimit(limit))
                .build(),
            ReadConsistency.LINEARIZABLE);
    Map<String, String> entries = new LinkedHashMap<>();
    for (Entry e : reply.getEntriesList()) {
      entries.put(e.getKey().toStringUtf8(), e.getValue().toStringUtf8());
    }
    return Collections.unmodifiableMap(entries);
  }

  private KvReply submit(KvCommand command) {
    return KvStateMachine.REPLIES.decode(client.submit(command.toByteArray()));
  }

  private KvReply query(KvQuery query, ReadConsistency consistency) {
    return KvStateMachine.REPLIES.decode(client.query(query.toByteArray(), consistency));
  }

  private static KvQuery getQuery(String key) {
    return KvQuery.newBuilder().setGet(Get.newBuilder().setKey(bytes(key))).build();
  }

  private static Optional<String> found(KvReply reply) {
    return reply.getFound() ? Optional.of(reply.getValue().toStringUtf8()) : Optional.empty();
  }

  private static Optional<String> previous(KvReply reply) {
    return reply.getFound() ? Optional.of(reply.getPrevious().toStringUtf8()) : Optional.empty();
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(Objects.requireNonNull(s, "key or value"));
  }
}
