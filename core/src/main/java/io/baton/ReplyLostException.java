package io.baton;

/**
 * A command was <b>applied exactly once</b>, but its reply is unknown. This happens when the node
 * that answered a retry of the command had restarted since applying it: a node keeps the replies of
 * recent commands in memory only, so after a restart it knows that the command's request id was
 * applied, and not what the state machine answered.
 *
 * <p>Do not submit the command again: that would apply it a second time. Read the state to learn
 * what the command did, if the reply matters.
 *
 * @since 0.1
 */
public class ReplyLostException extends BatonException {
  private static final long serialVersionUID = 1L;

  public ReplyLostException(String message) {
    super(message);
  }
}
