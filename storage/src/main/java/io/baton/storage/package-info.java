/**
 * Baton's replica state store: a RocksDB database whose column families are the state machine's
 * keyspaces, written in atomic batches together with the applied log index ({@link
 * io.baton.storage.RocksDbStateStore}), and checkpointed into verifiable snapshot directories
 * ({@link io.baton.storage.SnapshotManifest}, {@link io.baton.storage.SnapshotCatalog}).
 */
package io.baton.storage;
