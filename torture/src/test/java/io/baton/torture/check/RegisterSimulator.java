package io.baton.torture.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Generates register histories from a simulated atomic register: each operation gets an interval
 * and a hidden linearization point inside it, and the register applies the operations in the order
 * of their points. The histories are therefore linearizable by construction. Some effectful
 * operations end unknown (their effect applied or not, at random), some fail (not applied), as the
 * harness records them.
 */
final class RegisterSimulator {
  private final Random random;
  private long nextValue;
  private long nextId;

  RegisterSimulator(long seed) {
    this.random = new Random(seed);
  }

  private record Planned(
      int process, OpType type, long invoke, long point, long complete, Outcome outcome) {}

  /**
   * A linearizable history of {@code clients} concurrent clients and about {@code ops} operations.
   */
  List<Op> linearizable(int clients, int ops, double unknownRate, double failRate) {
    List<Planned> plan = new ArrayList<>();
    int process = 0;
    long[] clock = new long[clients];
    int[] processOf = new int[clients];
    for (int c = 0; c < clients; c++) {
      processOf[c] = process++;
      clock[c] = random.nextInt(20);
    }
    for (int i = 0; i < ops; i++) {
      int c = random.nextInt(clients);
      long invoke = clock[c] + random.nextInt(15);
      long duration = 1L + random.nextInt(40);
      long point = invoke + (long) (random.nextDouble() * duration);
      long complete = invoke + duration;
      OpType type = pickType();
      Outcome outcome = Outcome.OK;
      double roll = random.nextDouble();
      if (roll < unknownRate) {
        outcome = Outcome.UNKNOWN;
      } else if (roll < unknownRate + failRate) {
        outcome = Outcome.FAIL;
      }
      plan.add(new Planned(processOf[c], type, invoke, point, complete, outcome));
      clock[c] = complete;
      if (outcome == Outcome.UNKNOWN) {
        processOf[c] = process++; // Jepsen: a crashed process never issues another operation
      }
    }
    plan.sort(Comparator.comparingLong(Planned::point));
    String state = null;
    List<String> written = new ArrayList<>();
    List<Op> history = new ArrayList<>();
    for (Planned p : plan) {
      long id = nextId++;
      String key = "k";
      boolean applies =
          p.outcome() == Outcome.OK || (p.outcome() == Outcome.UNKNOWN && random.nextBoolean());
      switch (p.type()) {
        case READ -> {
          Outcome o = p.outcome() == Outcome.OK ? Outcome.OK : Outcome.FAIL;
          history.add(
              new Op(
                  id,
                  p.process(),
                  key,
                  OpType.READ,
                  null,
                  null,
                  o,
                  o == Outcome.OK ? state : "?",
                  null,
                  p.invoke(),
                  p.complete(),
                  null));
        }
        case WRITE -> {
          String v = "v" + nextValue++;
          history.add(
              Op.write(id, p.process(), key, v, p.outcome(), state, p.invoke(), p.complete()));
          if (applies) {
            state = v;
          }
          written.add(v);
        }
        case CAS -> {
          String expected =
              written.isEmpty() || random.nextInt(5) == 0
                  ? null
                  : random.nextBoolean() ? state : written.get(random.nextInt(written.size()));
          String v = "v" + nextValue++;
          boolean matches = Objects.equals(state, expected);
          history.add(
              Op.cas(
                  id,
                  p.process(),
                  key,
                  expected,
                  v,
                  p.outcome(),
                  matches,
                  p.invoke(),
                  p.complete()));
          if (applies && matches) {
            state = v;
          }
          written.add(v);
        }
        case DELETE -> {
          history.add(
              Op.delete(
                  id, p.process(), key, p.outcome(), state != null, p.invoke(), p.complete()));
          if (applies) {
            state = null;
          }
        }
        default -> throw new AssertionError(p.type());
      }
    }
    history.sort(Comparator.comparingLong(Op::invokeNanos));
    return history;
  }

  private OpType pickType() {
    int r = random.nextInt(100);
    return r < 45 ? OpType.READ : r < 80 ? OpType.WRITE : r < 95 ? OpType.CAS : OpType.DELETE;
  }

  Random random() {
    return random;
  }
}
