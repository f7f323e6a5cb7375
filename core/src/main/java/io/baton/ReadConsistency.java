package io.baton;

/**
 * How fresh the state a query reads must be, and which node may answer it.
 *
 * @since 0.1
 */
public enum ReadConsistency {
  /**
   * Linearizable, answered by the leader: the query sees every command acknowledged before it was
   * sent (Raft §6.4, ReadIndex: the leader confirms it is still leader with a heartbeat round, then
   * waits until it has applied up to its commit index). The default.
   */
  LINEARIZABLE,
  /**
   * Linearizable, answered by a follower: the follower asks the leader for its commit index and
   * answers once it has applied up to it. Moves read load off the leader at the cost of a round
   * trip. If the chosen follower cannot answer within a second (down, removed, cut off), {@code
   * query} asks the leader instead.
   */
  FOLLOWER,
  /**
   * Whatever the answering node has applied, without asking the leader: fastest, available without
   * a leader, and possibly stale by any amount. {@code query} asks a node chosen at random, so two
   * stale reads may go backwards; {@code queryNode} asks one node, whose state only moves forward.
   */
  STALE
}
