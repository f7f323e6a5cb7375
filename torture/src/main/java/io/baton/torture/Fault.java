package io.baton.torture;

import java.util.ArrayList;
import java.util.List;

/**
 * One injected fault: what, on whom, when (history time), and the evidence that it really happened.
 * A fault without evidence, or with problems, fails the run. Thread-safe.
 */
final class Fault {
  final int number;
  final NemesisKind kind;
  private String description;
  private final long startNanos;
  private long endNanos = -1;
  private final List<String> evidence = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private boolean proven;

  Fault(int number, NemesisKind kind, String description, long startNanos) {
    this.number = number;
    this.kind = kind;
    this.description = description;
    this.startNanos = startNanos;
  }

  synchronized void describe(String text) {
    this.description = text;
  }

  synchronized void evidence(String text) {
    evidence.add(text);
  }

  /** Records evidence that proves the fault bit. */
  synchronized void proof(String text) {
    evidence.add(text);
    proven = true;
  }

  synchronized void problem(String text) {
    problems.add(text);
  }

  synchronized void end(long nanos) {
    endNanos = nanos;
  }

  synchronized String description() {
    return description;
  }

  long startNanos() {
    return startNanos;
  }

  synchronized long endNanos() {
    return endNanos;
  }

  synchronized List<String> evidence() {
    return List.copyOf(evidence);
  }

  synchronized List<String> problems() {
    List<String> all = new ArrayList<>(problems);
    if (!proven) {
      all.add("no evidence that the fault took effect");
    }
    return all;
  }

  synchronized boolean ok() {
    return proven && problems.isEmpty();
  }
}
