package io.baton.testing;

import static io.baton.testing.RegisterStateMachine.incr;
import static io.baton.testing.RegisterStateMachine.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.statemachine.Command;
import io.baton.statemachine.Keys;
import io.baton.statemachine.StateMachine;
import io.baton.statemachine.StateReader;
import io.baton.statemachine.StateWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class DeterminismCheckTest {
  @TempDir Path dir;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<byte[]> puts(int count) {
    List<byte[]> commands = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      commands.add(put("k" + (i % 7), "v" + i));
    }
    return commands;
  }

  private DeterminismCheck.Builder check(Supplier<StateMachine> machines) {
    return DeterminismCheck.newBuilder(machines).directory(dir);
  }

  private boolean dirIsEmpty() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  /** Text commands: {@code put <key> <value>}, and {@code <op> <key>} for the subclass's ops. */
  private abstract static class TextStateMachine implements StateMachine {
    @Override
    public byte[] apply(Command command, StateWriter state) {
      String[] parts = new String(command.bytes(), StandardCharsets.UTF_8).split(" ", 3);
      if (parts[0].equals("put")) {
        state.put(Keys.utf8(parts[1]), Keys.utf8(parts[2]));
        return new byte[0];
      }
      return apply(parts[0], Keys.utf8(parts[1]), state);
    }

    abstract byte[] apply(String op, byte[] key, StateWriter state);

    @Override
    public byte[] query(byte[] query, StateReader state) {
      return new byte[0];
    }
  }

  /** Writes the time: the classic bug. */
  private static final class ClockStateMachine extends TextStateMachine {
    @Override
    byte[] apply(String op, byte[] key, StateWriter state) {
      state.put(key, Keys.longBytes(System.nanoTime()));
      return new byte[0];
    }
  }

  /** Numbers entries from a counter shared by all instances. */
  private static final class StaticCounterStateMachine extends TextStateMachine {
    private static final AtomicLong NEXT_ID = new AtomicLong();

    @Override
    byte[] apply(String op, byte[] key, StateWriter state) {
      state.put(key, Keys.longBytes(NEXT_ID.incrementAndGet()));
      return new byte[0];
    }
  }

  /** Writes deterministically but replies with the time. */
  private static final class ClockReplyStateMachine extends TextStateMachine {
    @Override
    byte[] apply(String op, byte[] key, StateWriter state) {
      state.put(key, key);
      return Keys.longBytes(System.nanoTime());
    }
  }

  /** Numbers entries from an in-memory counter that open() does not rebuild from the state. */
  private static final class ForgetfulStateMachine extends TextStateMachine {
    private long next;

    @Override
    byte[] apply(String op, byte[] key, StateWriter state) {
      state.put(key, Keys.longBytes(++next));
      return Keys.longBytes(next);
    }
  }

  /** Records the log indexes it applies and how often validate ran; rejects {@code bad ...}. */
  private static final class RecordingStateMachine extends TextStateMachine {
    final List<Long> indexes = new ArrayList<>();
    int validated;

    @Override
    public void validate(byte[] command) {
      validated++;
      if (new String(command, StandardCharsets.UTF_8).startsWith("bad")) {
        throw new IllegalArgumentException("bad is not a command");
      }
    }

    @Override
    public byte[] apply(Command command, StateWriter state) {
      indexes.add(command.index());
      return super.apply(command, state);
    }

    @Override
    byte[] apply(String op, byte[] key, StateWriter state) {
      return key;
    }
  }

  @Test
  void run_deterministicStateMachine_passes() throws IOException {
    List<byte[]> commands = puts(150);
    for (int i = 0; i < 50; i++) {
      commands.add(incr("c" + (i % 3)));
    }

    DeterminismReport result = check(RegisterStateMachine::new).replicas(3).build().run(commands);

    assertThat(result.passed()).isTrue();
    assertThat(result.divergedAt()).isEmpty();
    assertThat(result.applyFailure()).isEmpty();
    assertThat(result.applied()).isEqualTo(200);
    assertThat(result.rejected()).isEmpty();
    assertThat(result.toString())
        .startsWith("DeterminismCheck passed: 3 replicas applied 200 commands")
        .contains("Replica 1 was restarted before command 66")
        .contains("Replica 2 was restarted before command 133");
    result.assertDeterministic();
    assertThat(dirIsEmpty()).as("temporary stores deleted").isTrue();
  }

  @Test
  void run_stateMachineWritingTheClock_failsAtTheFirstSuchCommand() {
    List<byte[]> commands = puts(5);
    commands.add(utf8("stamp t"));
    commands.addAll(puts(5));

    DeterminismReport result = check(ClockStateMachine::new).build().run(commands);

    assertThat(result.passed()).isFalse();
    assertThat(result.divergedAt()).hasValue(5);
    assertThat(result.applied()).isEqualTo(5);
    assertThat(result.applyFailure()).isEmpty();
    assertThat(result.toString())
        .startsWith(
            "DeterminismCheck failed: replicas 0 and 1 diverged at command 5 (log index 6): the"
                + " state differs.")
        .contains("command 5: 7374616d702074 (7 bytes) \"stamp t\"")
        .contains("state, replica 0: sha-256 ")
        .contains("state, replica 1: sha-256 ")
        .contains("not on a clock");
    assertThatThrownBy(result::assertDeterministic)
        .isInstanceOf(AssertionError.class)
        .hasMessage(result.toString());
  }

  @Test
  void run_stateMachineWithStaticCounter_failsAtTheFirstCommandUsingIt() {
    List<byte[]> commands = puts(3);
    commands.add(utf8("number a"));
    commands.add(utf8("number b"));

    DeterminismReport result = check(StaticCounterStateMachine::new).build().run(commands);

    assertThat(result.divergedAt()).hasValue(3);
    assertThat(result.toString()).contains("diverged at command 3 (log index 4)");
  }

  @Test
  void run_replyDiffersButStateIsEqual_failsOnTheReply() {
    List<byte[]> commands = puts(2);
    commands.add(utf8("touch x"));

    DeterminismReport result = check(ClockReplyStateMachine::new).build().run(commands);

    assertThat(result.divergedAt()).hasValue(2);
    String message = result.toString();
    assertThat(message)
        .contains("diverged at command 2 (log index 3): the reply differs.")
        .contains("reply, replica 0: ")
        .contains("reply, replica 1: ")
        .containsPattern("state, both: sha-256 [0-9a-f]{16}… \\(equal\\)");
  }

  @Test
  void run_inMemoryStateNotRebuiltByOpen_failsAtTheRestart() {
    List<byte[]> commands = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      commands.add(utf8("number k" + i));
    }

    DeterminismReport result = check(ForgetfulStateMachine::new).build().run(commands);
    DeterminismReport withoutRestart =
        check(ForgetfulStateMachine::new).restartMidway(false).build().run(commands);

    assertThat(result.divergedAt()).hasValue(5);
    assertThat(result.toString())
        .contains("the reply and the state differ")
        .contains("restarted (new instance, store reopened, open called) before command 5");
    assertThat(withoutRestart.passed()).isTrue();
  }

  @Test
  void run_commandsRejectedByValidate_areSkippedOnEveryReplica() {
    List<RecordingStateMachine> created = new ArrayList<>();
    List<byte[]> commands =
        List.of(utf8("put a 1"), utf8("bad 1"), utf8("get a"), utf8("bad 2"), utf8("put b 2"));

    DeterminismReport result =
        check(
                () -> {
                  RecordingStateMachine m = new RecordingStateMachine();
                  created.add(m);
                  return m;
                })
            .restartMidway(false)
            .build()
            .run(commands);

    assertThat(result.passed()).isTrue();
    assertThat(result.applied()).isEqualTo(3);
    assertThat(result.rejected())
        .containsExactly(
            Map.entry(1, "bad is not a command"), Map.entry(3, "bad is not a command"));
    assertThat(result.toString())
        .contains("validate rejected 2 commands, skipped on every replica: command 1 (bad is not");
    assertThat(created).hasSize(2);
    assertThat(created.get(0).indexes).containsExactly(1L, 2L, 3L);
    assertThat(created.get(1).indexes).containsExactly(1L, 2L, 3L);
    assertThat(created.get(0).validated).as("the leader validates").isEqualTo(5);
    assertThat(created.get(1).validated).as("followers do not").isZero();
  }

  @Test
  void run_applyThrowsOnEveryReplica_failsWithTheException() {
    List<byte[]> commands = List.of(put("a", "1"), put("b", "2"), utf8("fail"), put("c", "3"));

    DeterminismReport result = check(RegisterStateMachine::new).build().run(commands);

    assertThat(result.passed()).isFalse();
    assertThat(result.divergedAt()).isEmpty();
    assertThat(result.applied()).isEqualTo(2);
    assertThat(result.applyFailure())
        .get()
        .isInstanceOf(IllegalStateException.class)
        .extracting(Throwable::getMessage)
        .isEqualTo("deliberate failure at index 3");
    assertThat(result.toString())
        .startsWith(
            "DeterminismCheck failed: StateMachine.apply threw at command 2 (log index 3) on"
                + " every replica: java.lang.IllegalStateException: deliberate failure at index 3")
        .contains("the accepted commands after it (1) were not checked");
    assertThatThrownBy(result::assertDeterministic)
        .isInstanceOf(AssertionError.class)
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void run_applyThrowsOnOneReplicaOnly_reportsTheDivergenceWithTheException() {
    AtomicLong instances = new AtomicLong();
    List<byte[]> commands = List.of(utf8("put a 1"), utf8("boom x"));

    DeterminismReport result =
        check(
                () -> {
                  boolean second = instances.incrementAndGet() == 2;
                  return new TextStateMachine() {
                    @Override
                    byte[] apply(String op, byte[] key, StateWriter state) {
                      if (second) {
                        throw new IllegalStateException("only on the second instance");
                      }
                      return new byte[0];
                    }
                  };
                })
            .restartMidway(false)
            .build()
            .run(commands);

    assertThat(result.divergedAt()).hasValue(1);
    assertThat(result.applyFailure()).get().isInstanceOf(IllegalStateException.class);
    assertThat(result.toString())
        .contains("diverged at command 1 (log index 2): apply threw on replica 1 only.")
        .contains("reply, replica 0: (empty)")
        .contains(
            "reply, replica 1: threw java.lang.IllegalStateException: only on the second"
                + " instance");
  }

  @Test
  void run_applyReturnsNull_failsWithNullPointerException() {
    DeterminismReport result =
        check(
                () ->
                    new TextStateMachine() {
                      @Override
                      byte[] apply(String op, byte[] key, StateWriter state) {
                        return null;
                      }
                    })
            .build()
            .run(List.of(utf8("get a")));

    assertThat(result.applyFailure())
        .get()
        .isInstanceOf(NullPointerException.class)
        .extracting(Throwable::getMessage)
        .isEqualTo("StateMachine.apply returned null (return new byte[0])");
  }

  @Test
  void run_digestEveryFewCommands_locatesStateDivergenceWithinTheInterval() {
    List<byte[]> commands = puts(5);
    commands.add(utf8("stamp t"));
    commands.addAll(puts(5));

    DeterminismReport result = check(ClockStateMachine::new).digestEvery(4).build().run(commands);

    assertThat(result.divergedAt()).hasValue(7);
    assertThat(result.toString())
        .contains(
            "digests are compared every 4 commands: the state diverged at one of commands 4"
                + " to 7");
  }

  @Test
  void run_badArguments_failWithClearMessages() throws IOException {
    DeterminismCheck check = check(RegisterStateMachine::new).build();
    List<byte[]> withNull = new ArrayList<>();
    withNull.add(put("a", "1"));
    withNull.add(null);

    assertThatThrownBy(() -> DeterminismCheck.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("stateMachines");
    assertThatThrownBy(() -> check.run(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("commands");
    assertThatThrownBy(() -> check.run(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("commands is empty; give at least one command to apply");
    assertThatThrownBy(() -> check.run(withNull))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("commands[1] is null");
    assertThatThrownBy(() -> DeterminismCheck.newBuilder(RegisterStateMachine::new).replicas(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("replicas (1) must be 2 to 16");
    assertThatThrownBy(() -> DeterminismCheck.newBuilder(RegisterStateMachine::new).digestEvery(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("digestEvery (0) must be >= 1");
    assertThatThrownBy(() -> check(() -> null).build().run(puts(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("the stateMachines supplier returned null for replica 0");
    assertThat(dirIsEmpty()).isTrue();
  }

  @Test
  void run_supplierReturningTheSameInstance_failsAndCleansUp() throws IOException {
    RegisterStateMachine shared = new RegisterStateMachine();

    assertThatThrownBy(() -> check(() -> shared).build().run(puts(3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the stateMachines supplier returned the same instance (")
        .hasMessageEndingWith(
            "twice; it must return a new StateMachine on each call, one per replica and per"
                + " restart");
    assertThat(dirIsEmpty()).as("temporary stores deleted").isTrue();
  }

  @Test
  void toString_listsTheSettings() {
    assertThat(DeterminismCheck.of(RegisterStateMachine::new).toString())
        .isEqualTo(
            "DeterminismCheck{replicas=2, digestEvery=1, restartMidway=true,"
                + " directory=java.io.tmpdir}");
  }
}
