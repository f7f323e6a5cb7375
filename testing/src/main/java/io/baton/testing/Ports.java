package io.baton.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out free TCP ports on 127.0.0.1 for local clusters, never the same port twice in one JVM.
 *
 * <p>The kernel may return a port it has just released again, and a cluster whose peers share a
 * port cannot start; remembering every port handed out avoids that within the JVM. Another process
 * can still take a port between this call and the node binding it: start the node soon after.
 * Thread-safe.
 *
 * @since 0.1
 */
public final class Ports {
  private static final int MAX_ATTEMPTS = 100;
  private static final Set<Integer> ISSUED = ConcurrentHashMap.newKeySet();

  private Ports() {}

  /**
   * A TCP port on 127.0.0.1 that was free a moment ago and that this JVM has not handed out before
   * (after 100 tries it gives up on the second condition).
   *
   * @throws UncheckedIOException if no socket can be opened on the loopback address
   */
  public static int freePort() {
    for (int attempt = 0; ; attempt++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
        if (ISSUED.add(s.getLocalPort()) || attempt >= MAX_ATTEMPTS) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** {@code count} distinct free ports; see {@link #freePort()}. */
  public static List<Integer> freePorts(int count) {
    List<Integer> ports = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ports.add(freePort());
    }
    return List.copyOf(ports);
  }
}
