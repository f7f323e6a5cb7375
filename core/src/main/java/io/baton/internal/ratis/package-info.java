/**
 * Baton on Apache Ratis: the node, client and admin implementations, the state machine adapter and
 * the wire and storage formats. <b>Not API</b>: these types are public only so that {@link
 * io.baton} can create them; they may change or disappear in any release without notice, and no
 * Ratis type crosses into {@link io.baton}.
 */
package io.baton.internal.ratis;
