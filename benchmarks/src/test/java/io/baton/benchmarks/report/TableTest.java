package io.baton.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class TableTest {
  @Test
  void markdown_printsHeaderSeparatorAndRowsInOrder() {
    Table t = new Table("system", "writes/s").row("baton", 11268).row("ratis", "1,844");

    assertThat(t.markdown())
        .isEqualTo(
            """
            | system | writes/s |
            |---|---|
            | baton | 11268 |
            | ratis | 1,844 |
            """);
  }

  @Test
  void markdown_emptyCells_printAsOneSpace() {
    Table t = new Table("", "").row("date", "").row("", "x");

    assertThat(t.markdown()).isEqualTo("| | |\n|---|---|\n| date | |\n| | x |\n");
  }

  @Test
  void isEmpty_untilARowIsAdded() {
    Table t = new Table("a");

    assertThat(t.isEmpty()).isTrue();
    assertThat(t.row("x").isEmpty()).isFalse();
  }

  @Test
  void row_withWrongNumberOfCells_isRejected() {
    Table t = new Table("a", "b");

    assertThatThrownBy(() -> t.row("only one"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("row has 1 cells, the table 2 columns");
  }

  @Test
  void constructor_withoutColumns_isRejected() {
    assertThatThrownBy(Table::new).isInstanceOf(IllegalArgumentException.class);
  }
}
