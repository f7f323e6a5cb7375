package io.baton.torture;

import io.baton.testing.Ports;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Nodes on 127.0.0.1 with free ports: kill and pause work, network faults do not. */
final class LoopbackNetwork implements Network {
  private final Map<String, Integer> ports = new HashMap<>();
  private final String limitation;

  LoopbackNetwork(List<String> ids, String limitation) {
    this.limitation = limitation;
    for (String id : ids) {
      ports.put(id, Ports.freePort());
    }
  }

  @Override
  public String description() {
    return "loopback 127.0.0.1 (no network faults: " + limitation + ")";
  }

  @Override
  public boolean injectsFaults() {
    return false;
  }

  @Override
  public String limitation() {
    return limitation;
  }

  @Override
  public boolean delays() {
    return false;
  }

  @Override
  public String host(String id) {
    return "127.0.0.1";
  }

  @Override
  public int port(String id) {
    return ports.get(id);
  }

  @Override
  public List<String> wrap(String id, List<String> command) {
    return command;
  }

  @Override
  public void block(String from, String to) {
    throw new UnsupportedOperationException(limitation);
  }

  @Override
  public void lossy(String at, List<String> peers, double probability, int rateKbit) {
    throw new UnsupportedOperationException(limitation);
  }

  @Override
  public Map<String, Long> dropCounters() {
    return Map.of();
  }

  @Override
  public void delay(Set<String> nodes, Duration base, Duration jitter) {
    throw new UnsupportedOperationException(limitation);
  }

  @Override
  public boolean clearDelay(Duration timeout) {
    return true;
  }

  @Override
  public DelayProxy.Stats delayStats() {
    return new DelayProxy.Stats(0, 0, 0, 0, 0, 0, 0, Map.of());
  }

  @Override
  public void heal() {}

  @Override
  public void close() {}
}
