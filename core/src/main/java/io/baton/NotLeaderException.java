package io.baton;

import java.util.Optional;

/**
 * An operation that only the leader may perform reached a node that is not, or no longer, the
 * leader. Leadership can move at any moment (an election, a switchover by another operator), so
 * this is a race the caller cannot rule out by checking {@link BatonNode#isLeader()} first. Nothing
 * was changed; {@link #leaderHint()} names the leader this node knew of, where to retry.
 *
 * @since 0.1
 */
public class NotLeaderException extends BatonException {
  private static final long serialVersionUID = 1L;

  /* A String or null: Optional is not Serializable. */
  private final String leaderHint;

  public NotLeaderException(String message, Optional<String> leaderHint) {
    super(message);
    this.leaderHint = leaderHint.orElse(null);
  }

  /** The id of the leader the refusing node knew of when it refused, if it knew one. */
  public Optional<String> leaderHint() {
    return Optional.ofNullable(leaderHint);
  }
}
