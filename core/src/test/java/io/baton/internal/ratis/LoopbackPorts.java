package io.baton.internal.ratis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free ports on 127.0.0.1 for core's Ratis tests (module testing has its own, core cannot use it).
 */
final class LoopbackPorts {
  private LoopbackPorts() {}

  static int free() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
