package io.baton.torture;

import io.baton.torture.check.CounterChecker;
import io.baton.torture.check.Op;
import io.baton.torture.check.RegisterChecker;
import io.baton.torture.check.SetChecker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Everything a run found. {@link #passed()} is the verdict; {@link #reasons()} says why not.
 *
 * @param options the run's settings
 * @param network where the nodes ran and which network faults were possible
 * @param notExercised fault families that were asked for but could not be injected, with why
 * @param startedAt wall-clock start
 * @param workload how long the workload ran under faults
 * @param elapsed the whole run, setup and checks included
 * @param ops the history
 * @param faults the fault timeline
 * @param leaderChanges how many times a node announced it became leader
 * @param recoveryMillis how long the cluster took to serve again after each healed fault
 * @param register the linearizability checker's result
 * @param sets the set checker's results
 * @param counters the counter checker's results
 * @param convergence the replica comparison
 * @param logFindings suspicious lines in node logs
 * @param probeKeys broken mode: register keys that received a guaranteed stale read
 * @param reasons why the run failed; empty when it passed
 * @param reportDir where the report was written
 */
public record RunResult(
    TortureOptions options,
    String network,
    List<String> notExercised,
    Instant startedAt,
    Duration workload,
    Duration elapsed,
    List<Op> ops,
    List<Fault> faults,
    int leaderChanges,
    List<Long> recoveryMillis,
    RegisterChecker.Result register,
    List<SetChecker.Result> sets,
    List<CounterChecker.Result> counters,
    ConvergenceCheck.Result convergence,
    List<String> logFindings,
    List<String> probeKeys,
    List<String> reasons,
    Path reportDir) {

  /** Whether every check passed. */
  public boolean passed() {
    return reasons.isEmpty();
  }
}
