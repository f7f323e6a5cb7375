package io.baton;

/**
 * The state machine refused a query as malformed ({@code query} threw {@link
 * IllegalArgumentException}). Nothing was changed; asking again will fail the same way.
 *
 * @since 0.1
 */
public class QueryRejectedException extends BatonException {
  private static final long serialVersionUID = 1L;

  public QueryRejectedException(String message) {
    super(message);
  }
}
