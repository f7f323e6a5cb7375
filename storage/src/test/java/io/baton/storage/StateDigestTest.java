package io.baton.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.statemachine.Keys;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;

final class StateDigestTest {
  @TempDir Path tmp;

  private static byte[] digest(RawRocksDb raw, String... keyspaces) throws RocksDBException {
    Map<String, ColumnFamilyHandle> sorted = new TreeMap<>();
    for (String ks : keyspaces) {
      sorted.put(ks, raw.cf(ks));
    }
    try (ReadOptions ro = new ReadOptions()) {
      return StateDigest.compute(raw.db(), sorted, ro);
    }
  }

  @Test
  void compute_sameEntriesInAnotherLayout_isEqual() throws RocksDBException {
    try (RawRocksDb a = new RawRocksDb(tmp.resolve("a"), "users");
        RawRocksDb b = new RawRocksDb(tmp.resolve("b"), "users")) {
      a.put("default", "x", "1");
      a.put("users", "alice", "admin");
      a.put("users", "bob", "guest");

      b.put("users", "bob", "guest");
      b.put("users", "alice", "guest");
      b.put("default", "z", "temporary");
      try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
        b.db().flush(flush, b.cf("users"));
        b.db().flush(flush, b.cf("default"));
      }
      b.db().delete(b.cf("default"), Keys.utf8("z"));
      b.put("users", "alice", "admin");
      b.put("default", "x", "1");

      assertThat(digest(b, "default", "users")).isEqualTo(digest(a, "default", "users"));
    }
  }

  @Test
  void compute_keyValueBoundary_isPartOfTheDigest() throws RocksDBException {
    try (RawRocksDb a = new RawRocksDb(tmp.resolve("a"));
        RawRocksDb b = new RawRocksDb(tmp.resolve("b"))) {
      a.put("default", "ab", "c");
      b.put("default", "a", "bc");

      assertThat(digest(a, "default")).isNotEqualTo(digest(b, "default"));
    }
  }

  @Test
  void compute_keyspaceOfAnEntry_isPartOfTheDigest() throws RocksDBException {
    try (RawRocksDb a = new RawRocksDb(tmp.resolve("a"), "orders", "users");
        RawRocksDb b = new RawRocksDb(tmp.resolve("b"), "orders", "users")) {
      a.put("users", "k", "v");
      b.put("orders", "k", "v");

      assertThat(digest(a, "default", "orders", "users"))
          .isNotEqualTo(digest(b, "default", "orders", "users"));
      // An empty keyspace still counts: its name is hashed.
      assertThat(digest(a, "default", "users"))
          .isNotEqualTo(digest(a, "default", "orders", "users"));
    }
  }

  @Test
  void compute_columnFamiliesNotPassed_areIgnored() throws RocksDBException {
    try (RawRocksDb raw = new RawRocksDb(tmp.resolve("a"), RocksDbStateStore.META_KEYSPACE)) {
      raw.put("default", "k", "v");
      byte[] before = digest(raw, "default");

      raw.put(RocksDbStateStore.META_KEYSPACE, "applied", "42");

      assertThat(digest(raw, "default")).isEqualTo(before);
    }
  }

  @Test
  void compute_withSnapshot_ignoresLaterWrites() throws RocksDBException {
    try (RawRocksDb raw = new RawRocksDb(tmp.resolve("a"))) {
      raw.put("default", "k", "v1");
      byte[] atV1 = digest(raw, "default");
      Snapshot snapshot = raw.db().getSnapshot();
      try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
        raw.put("default", "k", "v2");

        assertThat(StateDigest.compute(raw.db(), Map.of("default", raw.cf("default")), ro))
            .isEqualTo(atV1);
        assertThat(digest(raw, "default")).isNotEqualTo(atV1);
      } finally {
        raw.db().releaseSnapshot(snapshot);
      }
    }
  }
}
