package io.baton.storage;

import io.baton.statemachine.Keys;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Computes the state digest that replicas compare: SHA-256 over the keyspaces in name order, each
 * as its name followed by its entries in key order. It reads logical contents only, so two
 * databases holding the same data have the same digest whatever their compaction state, and column
 * families not passed in (Baton's metadata) do not count.
 */
final class StateDigest {
  // Tag bytes keep a keyspace name from reading as an entry and vice versa.
  private static final byte KEYSPACE_TAG = 'K';
  private static final byte ENTRY_TAG = 'E';

  private StateDigest() {}

  /**
   * The digest of {@code keyspaces} in {@code db} as {@code readOptions} sees them (give them a
   * snapshot for a consistent view). Reads every entry.
   *
   * @param keyspaces column families by keyspace name, iterated in the map's order: pass a sorted
   *     map so that the digest does not depend on how the keyspaces were declared
   */
  static byte[] compute(
      RocksDB db, Map<String, ColumnFamilyHandle> keyspaces, ReadOptions readOptions)
      throws RocksDBException {
    MessageDigest sha = sha256();
    for (Map.Entry<String, ColumnFamilyHandle> ks : keyspaces.entrySet()) {
      sha.update(KEYSPACE_TAG);
      updateLengthPrefixed(sha, Keys.utf8(ks.getKey()));
      try (RocksIterator it = db.newIterator(ks.getValue(), readOptions)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          sha.update(ENTRY_TAG);
          updateLengthPrefixed(sha, it.key());
          updateLengthPrefixed(sha, it.value());
        }
        it.status();
      }
    }
    return sha.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  private static void updateLengthPrefixed(MessageDigest sha, byte[] bytes) {
    sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
    sha.update(bytes);
  }
}
