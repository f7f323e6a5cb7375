package io.baton.benchmarks.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Markdown table: a header row, then rows of cells, each cell any object printed with {@code
 * String.valueOf}. An empty cell prints as a single space, so an empty header reads {@code | | |}.
 *
 * <p>Not thread-safe.
 */
public final class Table {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  /** A table with these column headers. */
  public Table(String... headers) {
    if (headers.length == 0) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    this.headers = List.of(headers);
  }

  /**
   * Adds a row.
   *
   * @throws IllegalArgumentException if the number of cells differs from the number of columns
   */
  public Table row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException(
          "row has " + cells.length + " cells, the table " + headers.size() + " columns");
    }
    rows.add(Arrays.stream(cells).map(String::valueOf).toList());
    return this;
  }

  /** Whether no row was added. */
  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /** The table in Markdown, one line per row, each line ending in a newline. */
  public String markdown() {
    StringBuilder s = new StringBuilder();
    line(s, headers);
    s.append("|---".repeat(headers.size())).append("|\n");
    rows.forEach(r -> line(s, r));
    return s.toString();
  }

  private static void line(StringBuilder s, List<String> cells) {
    s.append('|');
    for (String c : cells) {
      s.append(' ').append(c).append(c.isEmpty() ? "" : " ").append('|');
    }
    s.append('\n');
  }
}
