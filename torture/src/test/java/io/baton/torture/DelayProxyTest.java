package io.baton.torture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The delay proxy on loopback sockets: a link "a" -> "b" in front of an echo server. */
@Timeout(60)
final class DelayProxyTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private ServerSocket echo;
  private DelayProxy proxy;
  private int port;

  @BeforeEach
  void setUp() throws IOException {
    echo = new ServerSocket(0, 50, LOOPBACK);
    Thread t = new Thread(this::serveEcho, "echo");
    t.setDaemon(true);
    t.start();
    proxy = new DelayProxy(LOOPBACK);
    port = proxy.listen("a", "b", new InetSocketAddress(LOOPBACK, echo.getLocalPort()), null);
  }

  @AfterEach
  void tearDown() throws IOException {
    proxy.close();
    echo.close();
  }

  private void serveEcho() {
    while (true) {
      Socket s;
      try {
        s = echo.accept();
      } catch (IOException e) {
        return;
      }
      Thread t =
          new Thread(
              () -> {
                try (s) {
                  s.setTcpNoDelay(true);
                  s.getInputStream().transferTo(s.getOutputStream());
                  s.shutdownOutput();
                } catch (IOException e) {
                  // the test closed the connection
                }
              },
              "echo-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(LOOPBACK, port);
    s.setTcpNoDelay(true);
    s.setSoTimeout(20_000);
    return s;
  }

  /** Round-trip times of {@code n} 8-byte messages sent every {@code gapMillis}; checks order. */
  private static List<Long> roundTrips(Socket s, int n, long gapMillis) throws Exception {
    long[] sent = new long[n];
    Thread writer =
        new Thread(
            () -> {
              try {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                for (int i = 0; i < n; i++) {
                  sent[i] = System.nanoTime();
                  out.writeLong(i);
                  out.flush();
                  Thread.sleep(gapMillis);
                }
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    writer.start();
    DataInputStream in = new DataInputStream(s.getInputStream());
    List<Long> rtts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long seq = in.readLong();
      long now = System.nanoTime();
      assertThat(seq).as("message order").isEqualTo(i);
      rtts.add((now - sent[i]) / 1_000_000);
    }
    writer.join();
    return rtts;
  }

  @Test
  void zeroDelay_forwardsEveryByteInOrder_andDelaysNothing() throws Exception {
    byte[] data = new byte[2 << 20];
    new Random(1).nextBytes(data);
    try (Socket s = connect()) {
      Thread writer =
          new Thread(
              () -> {
                try {
                  OutputStream out = s.getOutputStream();
                  Random r = new Random(2);
                  for (int off = 0; off < data.length; ) {
                    int len = Math.min(data.length - off, 1 + r.nextInt(100_000));
                    out.write(data, off, len);
                    off += len;
                  }
                  s.shutdownOutput();
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      writer.start();
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      s.getInputStream().transferTo(back);
      writer.join();
      assertThat(Arrays.equals(back.toByteArray(), data)).as("echoed bytes equal").isTrue();
    }
    DelayProxy.Stats stats = proxy.stats();
    assertThat(stats.connections()).isEqualTo(1);
    assertThat(stats.bytes()).isEqualTo(2L * data.length);
    assertThat(stats.delayedChunks()).isZero();
  }

  @Test
  void delay_holdsEachChunkBackByBasePlusJitter_withoutReordering() throws Exception {
    try (Socket s = connect()) {
      assertThat(roundTrips(s, 5, 5)).allMatch(rtt -> rtt < 100);
      proxy.delay(Set.of("a"), Duration.ofMillis(60), Duration.ofMillis(40));
      // Messages 5 ms apart with up to 40 ms jitter would overtake each other if reordering were
      // allowed; roundTrips checks that they come back in order.
      List<Long> rtts = roundTrips(s, 60, 5);
      assertThat(rtts).allMatch(rtt -> rtt >= 120, "every round trip delayed twice by 60 ms");
      DelayProxy.Stats stats = proxy.stats();
      assertThat(stats.delayedChunks()).isGreaterThanOrEqualTo(60);
      assertThat(stats.delayedByLink()).containsOnlyKeys("a->b", "b->a");
      assertThat(stats.meanAddedMillis()).isBetween(60.0, 300.0);
      assertThat(stats.addedNanosMax()).isGreaterThanOrEqualTo(60_000_000L);

      proxy.clear();
      assertThat(proxy.awaitDrained(Duration.ofSeconds(5))).isTrue();
      assertThat(roundTrips(s, 5, 5)).allMatch(rtt -> rtt < 100);
    }
  }

  @Test
  void delay_onOtherNodes_leavesTheLinkAlone() throws Exception {
    proxy.delay(Set.of("c"), Duration.ofMillis(200), Duration.ZERO);
    try (Socket s = connect()) {
      assertThat(roundTrips(s, 10, 2)).allMatch(rtt -> rtt < 150);
    }
    assertThat(proxy.stats().delayedChunks()).isZero();
  }

  @Test
  void endOfStream_isPassedOn_andCloseEndsConnections() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write(new byte[] {1, 2, 3});
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
    }
    try (Socket s = connect()) {
      roundTrips(s, 1, 0);
      proxy.close();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void unreachableTarget_closesTheAcceptedConnection() throws Exception {
    int closedPort;
    try (ServerSocket unused = new ServerSocket(0, 1, LOOPBACK)) {
      closedPort = unused.getLocalPort();
    }
    int p = proxy.listen("a", "c", new InetSocketAddress(LOOPBACK, closedPort), null);
    try (Socket s = new Socket(LOOPBACK, p)) {
      s.setSoTimeout(10_000);
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }
}
