/**
 * Baton's API for running nodes and clients: {@link io.baton.BatonNode}, {@link
 * io.baton.NodeConfig}, {@link io.baton.BatonClient} and the exceptions they report.
 */
package io.baton;
