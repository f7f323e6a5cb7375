package io.baton.benchmarks.report;

/**
 * The Markdown text of a report as it is built: headings, paragraphs and tables, each followed by a
 * blank line.
 *
 * <p>Not thread-safe.
 */
final class Markdown {
  private final StringBuilder out = new StringBuilder();

  /** A heading of {@code level} (2 for {@code ##}). */
  Markdown heading(int level, String text) {
    out.append("#".repeat(level)).append(' ').append(text).append("\n\n");
    return this;
  }

  /** A paragraph on one line. */
  Markdown paragraph(String text) {
    out.append(text).append("\n\n");
    return this;
  }

  /** A table. */
  Markdown table(Table table) {
    out.append(table.markdown()).append('\n');
    return this;
  }

  /** Appends {@code other}'s text. */
  Markdown append(Markdown other) {
    out.append(other.out);
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
