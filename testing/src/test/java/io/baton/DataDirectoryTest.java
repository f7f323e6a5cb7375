package io.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.testing.Ports;
import io.baton.testing.RegisterStateMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node refuses data that is not its own instead of starting empty over it. */
final class DataDirectoryTest {
  @TempDir Path dir;

  private NodeConfig config(String id, String cluster, Path data) {
    int port = Ports.freePort();
    return NodeConfig.newBuilder()
        .id(id)
        .peers(id + "=127.0.0.1:" + port)
        .clusterName(cluster)
        .dataDir(data)
        .build();
  }

  @Test
  void start_onAnotherNodesDataDir_isRefused() {
    Path data = dir.resolve("d");
    BatonNode.start(config("n1", "baton", data), new RegisterStateMachine()).close();

    assertThatThrownBy(
            () -> BatonNode.start(config("n2", "baton", data), new RegisterStateMachine()))
        .isInstanceOf(BatonException.class)
        .hasMessageContaining("belongs to node 'n1'")
        .hasMessageContaining("not to node 'n2'");
  }

  @Test
  void start_onAnotherClustersDataDir_isRefused() {
    Path data = dir.resolve("d");
    BatonNode.start(config("n1", "alpha", data), new RegisterStateMachine()).close();

    assertThatThrownBy(
            () -> BatonNode.start(config("n1", "beta", data), new RegisterStateMachine()))
        .isInstanceOf(BatonException.class)
        .hasMessageContaining("belongs to cluster 'alpha', not 'beta'");
  }

  @Test
  void start_onDirectoryWithForeignFiles_isRefusedAndLeavesThemAlone() throws Exception {
    Path data = dir.resolve("d");
    Files.createDirectories(data);
    Files.writeString(data.resolve("precious.txt"), "do not delete");

    assertThatThrownBy(
            () -> BatonNode.start(config("n1", "baton", data), new RegisterStateMachine()))
        .isInstanceOf(BatonException.class)
        .hasMessageContaining("not empty and has no baton-node.properties");
    assertThat(Files.readString(data.resolve("precious.txt"))).isEqualTo("do not delete");
    try (var files = Files.list(data)) {
      assertThat(files).hasSize(1);
    }
  }

  @Test
  void start_withPortInUse_failsNamingTheAddress() throws Exception {
    NodeConfig c = config("n1", "baton", dir.resolve("d"));
    try (var socket =
        new java.net.ServerSocket(c.self().port(), 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> BatonNode.start(c, new RegisterStateMachine()))
          .isInstanceOf(BatonException.class)
          .hasMessageContaining("127.0.0.1:" + c.self().port());
    }
  }
}
