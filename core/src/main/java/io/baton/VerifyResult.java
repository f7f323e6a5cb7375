package io.baton;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of {@link BatonAdmin#verify()}: each replica's state digest at one log index.
 *
 * @param index the log index of the digest mark: every digest covers the state just before it
 * @param digests each answering replica's SHA-256 state digest, by node id
 * @param unreachable members that did not answer (their state was not checked)
 * @since 0.1
 */
public record VerifyResult(long index, Map<String, String> digests, List<String> unreachable) {
  public VerifyResult {
    digests = Map.copyOf(new TreeMap<>(digests));
    unreachable = List.copyOf(unreachable);
  }

  /** Whether every answering replica has the same digest, and at least one answered. */
  public boolean consistent() {
    return !digests.isEmpty() && digests.values().stream().distinct().count() == 1;
  }

  /**
   * The replicas whose digest differs from the one most replicas have: those that diverged. Empty
   * if {@link #consistent()}.
   */
  public List<String> divergent() {
    Map<String, Long> counts = new TreeMap<>();
    digests.values().forEach(d -> counts.merge(d, 1L, Long::sum));
    String majority =
        counts.entrySet().stream()
            .max(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .orElse("");
    return new TreeMap<>(digests)
        .entrySet().stream()
            .filter(e -> !e.getValue().equals(majority))
            .map(Map.Entry::getKey)
            .toList();
  }
}
