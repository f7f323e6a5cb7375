/**
 * Message classes generated from {@code baton_internal.proto}: the protobuf form of command batches
 * and cluster settings in Raft log entries and store metadata. <b>Not API</b>: they may change in
 * any release; only their wire format is kept compatible.
 */
package io.baton.internal.proto;
