package io.baton.torture;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the nodes live on the network, and the network faults that can be injected between them.
 * Client traffic from the harness is never cut: like Jepsen's grudges, faults act only between
 * nodes, so a client can still reach (and read from) a node that is cut off from its peers.
 */
interface Network extends AutoCloseable {
  /** A one-line description for reports. */
  String description();

  /** Whether {@link #block} and {@link #lossy} work here. */
  boolean injectsFaults();

  /** Whether {@link #delay} works here: peer traffic runs through the harness's delay proxy. */
  boolean delays();

  /** Why {@link #injectsFaults} is false; empty otherwise. */
  String limitation();

  /** The address node {@code id} binds to and peers reach it at. */
  String host(String id);

  /** The port node {@code id} listens on. */
  int port(String id);

  /** {@code command} wrapped so that it runs where node {@code id} lives. */
  List<String> wrap(String id, List<String> command);

  /** Drops every packet from node {@code from} arriving at node {@code to}. */
  void block(String from, String to);

  /**
   * Drops packets from every other node arriving at {@code at} with {@code probability}, and, if
   * {@code rateKbit} is positive, throttles everything {@code at} sends to that rate.
   */
  void lossy(String at, List<String> peers, double probability, int rateKbit);

  /**
   * Packets dropped by each rule installed since the last {@link #heal}, keyed by a description
   * such as {@code "n1->n3 blocked"}.
   */
  Map<String, Long> dropCounters();

  /**
   * Delays every message sent by or to one of {@code nodes} by {@code base} plus up to {@code
   * jitter}, keeping each connection's byte order, until {@link #clearDelay} or {@link #heal}.
   * Starts a new window of {@link #delayStats}.
   */
  void delay(Set<String> nodes, Duration base, Duration jitter);

  /**
   * Removes the delay and waits up to {@code timeout} for messages already held back to go out.
   *
   * @return whether every held-back message went out in time
   */
  boolean clearDelay(Duration timeout);

  /** What the delay proxy did since the last {@link #delay}. */
  DelayProxy.Stats delayStats();

  /** Removes every rule and any delay; throws if a rule could not be removed. */
  void heal();

  /** Tears down everything this network created. Idempotent; never throws. */
  @Override
  void close();
}
