/**
 * A replicated key-value store with compare-and-set: {@link io.baton.examples.kv.KvStateMachine},
 * its protobuf messages ({@code kv.proto}) and a typed {@link io.baton.examples.kv.KvClient}.
 */
package io.baton.examples.kv;
