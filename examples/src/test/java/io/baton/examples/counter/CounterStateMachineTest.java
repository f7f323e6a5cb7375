package io.baton.examples.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.examples.StoreReplica;
import io.baton.statemachine.Keys;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class CounterStateMachineTest {
  @TempDir Path dir;
  private StoreReplica replica;

  @BeforeEach
  void open() {
    replica = new StoreReplica(new CounterStateMachine(), dir);
  }

  @AfterEach
  void close() {
    replica.close();
  }

  private long add(long delta) {
    return Keys.toLong(replica.submit(Keys.longBytes(delta)));
  }

  private long value() {
    return Keys.toLong(replica.query(new byte[0]));
  }

  @Test
  void query_beforeAnyCommand_isZero() {
    assertThat(value()).isZero();
  }

  @Test
  void apply_deltas_repliesRunningTotal() {
    assertThat(add(5)).isEqualTo(5);
    assertThat(add(-8)).isEqualTo(-3);
    assertThat(add(1_000_000_000_000L)).isEqualTo(999_999_999_997L);
    assertThat(value()).isEqualTo(999_999_999_997L);
  }

  @Test
  void apply_pastLongMax_wrapsInsteadOfThrowing() {
    add(Long.MAX_VALUE);
    assertThat(add(1)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void validate_commandNotEightBytes_rejectedWithLength() {
    CounterStateMachine counter = new CounterStateMachine();
    assertThatThrownBy(() -> counter.validate(new byte[7]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("counter command must be 8 bytes (a big-endian long delta), got 7");
    assertThatThrownBy(() -> counter.validate(new byte[0]))
        .hasMessage("counter command must be 8 bytes (a big-endian long delta), got 0");
    counter.validate(new byte[8]);
  }
}
