package io.baton.torture;

/**
 * One family of faults the nemesis injects (kill, pause, partition, loss, membership, delay): how
 * to inject one fault of the family, hold it, heal it, and prove that it really happened.
 *
 * <p>The nemesis calls {@link #inject} on its own thread, one fault at a time. An implementation
 * draws every choice from the shared seeded random of its {@link FaultContext}, in a fixed order,
 * so a seed reproduces the schedule.
 */
interface FaultFamily {
  /**
   * Injects one fault, describes it on {@code fault}, holds it for at most {@code budgetMillis} and
   * heals it before returning. Evidence that it took effect goes to {@link Fault#proof}, and
   * whatever went wrong to {@link Fault#problem}. A {@code RuntimeException} leaves the repair to
   * the nemesis, which heals everything.
   */
  void inject(Fault fault, long budgetMillis);
}
