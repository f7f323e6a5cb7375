package io.baton;

/**
 * A node could not read or write its own state on disk: its store or snapshots are damaged, missing
 * or inconsistent with its Raft log, or the disk failed. The cause is the storage layer's
 * exception, and the message is its message with what the node was doing.
 *
 * <p>At {@link BatonNode.Builder#start()} the node did not start and changed nothing; the message
 * says how to bring it back (usually on an empty data directory, from the other replicas). Never
 * repair a replica's files by hand.
 *
 * @since 0.1
 */
public class NodeStorageException extends BatonException {
  private static final long serialVersionUID = 1L;

  public NodeStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
