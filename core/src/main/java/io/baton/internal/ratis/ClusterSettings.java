package io.baton.internal.ratis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.baton.internal.proto.ClusterSettingsProto;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/*
 * Settings of the whole cluster that Raft's configuration cannot hold, replicated through the log
 * as an internal command and kept in each replica's store metadata:
 *
 *  - the operator's priorities (which node is the preferred leader);
 *  - whether automatic failback to the preferred node is on;
 *  - which nodes are drained for maintenance.
 *
 * Ratis's configuration then carries derived "effective" priorities: Ratis moves leadership to a
 * caught-up follower whose priority is strictly higher than the leader's, and a leader transfers
 * only to a voter of the highest priority. Ratis priorities cannot be negative, so a drained node
 * gets 0 and every other node at least 1: leadership is never handed to a drained node. With
 * failback off every other node gets 1, so nothing is handed back and a transfer to any of them is
 * allowed; with failback on they get the operator's priority plus one.
 */
/** Cluster-wide settings kept in the replicated state. Immutable. Not API. */
record ClusterSettings(boolean autoFailback, Map<String, Integer> priorities, Set<String> drained) {
  static final String METADATA_NAME = "cluster-settings";
  static final ClusterSettings DEFAULT = new ClusterSettings(true, Map.of(), Set.of());

  ClusterSettings {
    priorities = Map.copyOf(priorities);
    drained = Set.copyOf(drained);
  }

  /** The operator's priority of {@code id}, or {@code fallback} if none was recorded. */
  int priority(String id, int fallback) {
    return priorities.getOrDefault(id, fallback);
  }

  int effectivePriority(String id, int fallback) {
    if (drained.contains(id)) {
      return 0;
    }
    return autoFailback ? priority(id, fallback) + 1 : 1;
  }

  ClusterSettings withPriority(String id, int priority) {
    Map<String, Integer> p = new TreeMap<>(priorities);
    p.put(id, priority);
    return new ClusterSettings(autoFailback, p, drained);
  }

  ClusterSettings withoutNode(String id) {
    Map<String, Integer> p = new TreeMap<>(priorities);
    p.remove(id);
    Set<String> d = new TreeSet<>(drained);
    d.remove(id);
    return new ClusterSettings(autoFailback, p, d);
  }

  ClusterSettings withDrained(String id, boolean isDrained) {
    Set<String> d = new TreeSet<>(drained);
    if (isDrained) {
      d.add(id);
    } else {
      d.remove(id);
    }
    return new ClusterSettings(autoFailback, priorities, d);
  }

  ClusterSettings withAutoFailback(boolean on) {
    return new ClusterSettings(on, priorities, drained);
  }

  /*
   * Settings are stored in every replica's metadata and travel in log entries, so a node reads what
   * any older version wrote. The first format was UTF-8 "key=value" lines, always starting with
   * "autoFailback="; the current one is the byte FORMAT_PROTO (which no text line starts with)
   * followed by a ClusterSettingsProto. A later format takes the next format byte.
   */
  static final byte FORMAT_PROTO = 1;

  /** The stored and replicated form: FORMAT_PROTO, then a ClusterSettingsProto. */
  byte[] encode() {
    ClusterSettingsProto proto =
        ClusterSettingsProto.newBuilder()
            .setAutoFailback(autoFailback)
            .putAllPriorities(new TreeMap<>(priorities))
            .addAllDrained(new TreeSet<>(drained))
            .build();
    byte[] out = new byte[1 + proto.getSerializedSize()];
    out[0] = FORMAT_PROTO;
    System.arraycopy(proto.toByteArray(), 0, out, 1, out.length - 1);
    return out;
  }

  static ClusterSettings decode(Optional<byte[]> bytes) {
    return bytes.map(ClusterSettings::decode).orElse(DEFAULT);
  }

  /**
   * Settings in either format.
   *
   * @throws IllegalArgumentException if they are in neither
   */
  static ClusterSettings decode(byte[] bytes) {
    if (bytes.length == 0 || bytes[0] != FORMAT_PROTO) {
      return decodeText(bytes);
    }
    ClusterSettingsProto proto;
    try {
      proto = ClusterSettingsProto.parseFrom(ByteBuffer.wrap(bytes, 1, bytes.length - 1));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("cluster settings are malformed: " + e.getMessage(), e);
    }
    return new ClusterSettings(
        !proto.hasAutoFailback() || proto.getAutoFailback(),
        proto.getPrioritiesMap(),
        new TreeSet<>(proto.getDrainedList()));
  }

  /** Settings in the first format, "key=value" lines. */
  private static ClusterSettings decodeText(byte[] bytes) {
    boolean autoFailback = true;
    Map<String, Integer> priorities = new TreeMap<>();
    Set<String> drained = new TreeSet<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).lines().toList()) {
      int eq = line.indexOf('=');
      if (line.isBlank() || eq < 0) {
        continue;
      }
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      if (key.equals("autoFailback")) {
        autoFailback = Boolean.parseBoolean(value);
      } else if (key.startsWith("priority.")) {
        priorities.put(key.substring("priority.".length()), Integer.parseInt(value));
      } else if (key.startsWith("drained.") && Boolean.parseBoolean(value)) {
        drained.add(key.substring("drained.".length()));
      }
    }
    return new ClusterSettings(autoFailback, priorities, drained);
  }
}
