package io.baton.torture.check;

/** How an operation completed, in Jepsen's terms. */
public enum Outcome {
  /** It definitely happened, with the recorded result. */
  OK,
  /** It definitely did not happen (for example the cluster rejected it before the log). */
  FAIL,
  /**
   * It may or may not have happened, at any time after its invocation (a timeout, a lost
   * connection). The process that issued it never issues another operation.
   */
  UNKNOWN
}
