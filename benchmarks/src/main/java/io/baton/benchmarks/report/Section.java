package io.baton.benchmarks.report;

import io.baton.benchmarks.report.JmhResults.Run;
import java.util.List;

/**
 * One benchmark's part of {@code RESULTS.md}: its heading, what it measures, a table of its figures
 * and the design targets it checks. Each benchmark class has its own section.
 */
interface Section {
  /** The JMH benchmark whose runs this section reports, e.g. {@code WriteBenchmark.write}. */
  String benchmark();

  /**
   * Writes the section for {@code runs} (at least one, in file order) to {@code out} and records
   * its targets in {@code verdicts}.
   */
  void write(List<Run> runs, Markdown out, Verdicts verdicts);
}
