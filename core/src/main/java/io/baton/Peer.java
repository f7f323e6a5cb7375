package io.baton;

import static io.baton.internal.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A member of a Baton cluster: its id, the host and port its Raft server listens on, and its
 * leadership priority.
 *
 * <p>Priority says who is preferred as leader: with equal logs, a node does not vote for a
 * candidate of lower priority than its own, and a leader hands leadership to a caught-up node of
 * strictly higher priority (automatic failback). All peers default to priority 0 (no preference).
 *
 * @param id the node id: 1 to 64 characters of {@code [A-Za-z0-9_.-]}, unique in the cluster
 * @param host the host name or IP address the node binds to and peers connect to
 * @param port the TCP port, 1 to 65535
 * @param priority the leadership priority, ≥ 0
 * @since 0.1
 */
public record Peer(String id, String host, int port, int priority) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  public Peer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    checkArgument(
        ID.matcher(id).matches(), "peer id '%s' must be 1-64 characters of [A-Za-z0-9_.-]", id);
    checkArgument(!host.isBlank(), "host of peer '%s' must not be blank", id);
    checkArgument(port > 0 && port <= 65535, "port of peer '%s' (%s) must be 1-65535", id, port);
    checkArgument(priority >= 0, "priority of peer '%s' (%s) must be >= 0", id, priority);
  }

  /** A peer of priority 0. */
  public static Peer of(String id, String host, int port) {
    return new Peer(id, host, port, 0);
  }

  /**
   * Parses {@code id=host:port} or {@code id=host:port:priority}.
   *
   * @throws IllegalArgumentException naming the text if it is malformed
   */
  public static Peer parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.trim();
    int eq = s.indexOf('=');
    checkArgument(eq > 0, "peer '%s' must look like id=host:port", text);
    String id = s.substring(0, eq);
    String[] parts = s.substring(eq + 1).split(":", -1);
    checkArgument(
        parts.length == 2 || parts.length == 3,
        "peer '%s' must look like id=host:port or id=host:port:priority",
        text);
    return new Peer(
        id,
        parts[0],
        parseInt(parts[1], "port", text),
        parts.length == 3 ? parseInt(parts[2], "priority", text) : 0);
  }

  /**
   * Parses a comma-separated list such as {@code n1=127.0.0.1:7101,n2=127.0.0.1:7102}.
   *
   * @throws IllegalArgumentException if an entry is malformed or an id repeats
   */
  public static List<Peer> parseList(String text) {
    Objects.requireNonNull(text, "text");
    List<Peer> peers = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      if (!part.isBlank()) {
        Peer p = parse(part);
        for (Peer q : peers) {
          checkArgument(!q.id().equals(p.id()), "peer id '%s' appears twice in '%s'", p.id(), text);
        }
        peers.add(p);
      }
    }
    checkArgument(!peers.isEmpty(), "peer list '%s' is empty", text);
    return List.copyOf(peers);
  }

  /** {@code host:port}. */
  public String address() {
    return host + ":" + port;
  }

  /** A copy with another priority. */
  public Peer withPriority(int newPriority) {
    return new Peer(id, host, port, newPriority);
  }

  private static int parseInt(String s, String what, String text) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          what + " '" + s + "' in peer '" + text + "' is not a number");
    }
  }

  @Override
  public String toString() {
    return id + "=" + address() + (priority == 0 ? "" : ":" + priority);
  }
}
