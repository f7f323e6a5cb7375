package io.baton.benchmarks.report;

import io.baton.benchmarks.report.JmhResults.Run;
import java.util.List;

/**
 * One benchmark's part of {@code RESULTS.md}: its heading, what it measures, a table of its figures
 * and the design targets it checks. Each benchmark class has its own section.
 */
abstract class Section {
  private final String benchmark;
  private final String title;
  private final String description;

  /**
   * A section for the runs of {@code benchmark} (e.g. {@code WriteBenchmark.write}), headed {@code
   * title}, with {@code description} (may be empty) above its figures.
   */
  Section(String benchmark, String title, String description) {
    this.benchmark = benchmark;
    this.title = title;
    this.description = description;
  }

  /** Writes the section for the runs of its benchmark in {@code all}, if there are any. */
  final void write(List<Run> all, Markdown out, Verdicts verdicts) {
    List<Run> runs = JmhResults.select(all, benchmark);
    if (runs.isEmpty()) {
      return;
    }
    out.heading(3, title);
    if (!description.isEmpty()) {
      out.paragraph(description);
    }
    figures(runs, out, verdicts);
  }

  /**
   * Writes the figures of {@code runs} (at least one, in file order) to {@code out} and records the
   * targets they meet or miss in {@code verdicts}.
   */
  abstract void figures(List<Run> runs, Markdown out, Verdicts verdicts);
}
