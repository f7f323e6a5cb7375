package io.baton;

/**
 * A digest of a replica's whole state at an applied index. Two replicas that applied the same
 * commands up to the same index have equal digests; a difference means the state machine is not
 * deterministic (or the storage is damaged).
 *
 * @param appliedIndex the index of the last command reflected in the digest
 * @param sha256 the hex SHA-256 of every keyspace's keys and values, in key order
 * @since 0.1
 */
public record StateDigest(long appliedIndex, String sha256) {}
