package io.baton.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.statemachine.Keys;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

final class StoreFormatTest {
  private static final String META = RocksDbStateStore.META_KEYSPACE;

  @TempDir Path dir;

  private static void check(RawRocksDb raw, Path dir, boolean created) throws RocksDBException {
    StoreFormat.check(dir, raw.db(), raw.cf(META), List.copyOf(raw.all().values()), created);
  }

  private static byte[] marker(RawRocksDb raw) throws RocksDBException {
    return raw.db().get(raw.cf(META), StoreFormat.KEY);
  }

  @Test
  void check_createdStore_isStampedWithThisVersion() throws RocksDBException {
    try (RawRocksDb raw = new RawRocksDb(dir, META)) {
      check(raw, dir, true);
      assertThat(Keys.toLong(marker(raw))).isEqualTo(StoreFormat.VERSION);
    }
  }

  @Test
  void check_existingStoreWithoutMarkerOrData_finishesItsCreation() throws RocksDBException {
    try (RawRocksDb raw = new RawRocksDb(dir, META)) {
      check(raw, dir, false);
      assertThat(Keys.toLong(marker(raw))).isEqualTo(StoreFormat.VERSION);
    }
  }

  @Test
  void check_existingStoreWithDataButNoMarker_isRefusedAndNotStamped() throws RocksDBException {
    try (RawRocksDb raw = new RawRocksDb(dir, META, "users")) {
      raw.put("users", "alice", "admin");

      assertThatThrownBy(() -> check(raw, dir, false))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining("holds data but no Baton format marker");
      assertThat(marker(raw)).isNull();
    }
  }

  @Test
  void check_thisVersion_isAcceptedAndLeftAsIs() throws RocksDBException {
    try (RawRocksDb raw = new RawRocksDb(dir, META)) {
      raw.put("default", "k", "v");
      raw.db().put(raw.cf(META), StoreFormat.KEY, Keys.longBytes(StoreFormat.VERSION));

      check(raw, dir, false);

      assertThat(Keys.toLong(marker(raw))).isEqualTo(StoreFormat.VERSION);
    }
  }

  @Test
  void check_unknownMarker_isRefusedSayingWhatItHolds() throws RocksDBException {
    try (RawRocksDb raw = new RawRocksDb(dir, META)) {
      byte[][] markers = {Keys.longBytes(StoreFormat.VERSION + 1), Keys.longBytes(0), {1, 2, 3}};
      String[] described = {
        "unknown store format 2", "unknown store format 0", "marker of 3 bytes"
      };
      for (int i = 0; i < markers.length; i++) {
        raw.db().put(raw.cf(META), StoreFormat.KEY, markers[i]);
        assertThatThrownBy(() -> check(raw, dir, false))
            .isInstanceOf(StorageException.class)
            .hasMessageContaining(dir.toString())
            .hasMessageContaining(described[i])
            .hasMessageContaining("supports format 1");
      }
    }
  }
}
