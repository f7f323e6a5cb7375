package io.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class NodeConfigTest {
  private static final String PEERS = "n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103";

  private static NodeConfig.Builder valid() {
    return NodeConfig.newBuilder().id("n1").peers(PEERS).dataDir(Path.of("data/n1"));
  }

  @Test
  void build_withRequiredValues_fillsDefaultsAndListsEveryValue() {
    NodeConfig c = valid().build();
    assertThat(c.self()).isEqualTo(Peer.of("n1", "127.0.0.1", 7101));
    assertThat(c.failureDetection()).isEqualTo(FailureDetection.DEFAULT);
    assertThat(c.clusterName()).isEqualTo("baton");
    assertThat(c.dataDir()).isAbsolute();
    assertThat(c.toString())
        .contains("id=n1", "n3=127.0.0.1:7103", "clusterName=baton", "maxCommandBytes=1048576");
    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @Test
  void build_withoutRequiredField_namesTheField() {
    assertThatThrownBy(() -> NodeConfig.newBuilder().peers(PEERS).dataDir(Path.of("d")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("id is required");
    assertThatThrownBy(() -> NodeConfig.newBuilder().id("n1").dataDir(Path.of("d")).build())
        .hasMessage("peers is required");
    assertThatThrownBy(() -> NodeConfig.newBuilder().id("n1").peers(PEERS).build())
        .hasMessage("dataDir is required");
  }

  @Test
  void build_withIdNotAmongPeers_isRefused() {
    assertThatThrownBy(() -> valid().id("n9").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id 'n9' is not one of peers");
  }

  @Test
  void peers_withDuplicateIdOrAddress_isRefused() {
    assertThatThrownBy(() -> valid().peers("n1=127.0.0.1:7101,n1=127.0.0.1:7102"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("peer id 'n1' appears twice");
    assertThatThrownBy(() -> valid().peers("n1=127.0.0.1:7101,n2=127.0.0.1:7101").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("address 127.0.0.1:7101 twice");
  }

  @Test
  void peers_malformed_namesTheBadEntry() {
    assertThatThrownBy(() -> valid().peers("n1=127.0.0.1"))
        .hasMessageContaining("peer 'n1=127.0.0.1' must look like id=host:port");
    assertThatThrownBy(() -> valid().peers("n1=127.0.0.1:http"))
        .hasMessageContaining("port 'http' in peer 'n1=127.0.0.1:http' is not a number");
    assertThatThrownBy(() -> valid().peers("n1=127.0.0.1:70000"))
        .hasMessageContaining("port of peer 'n1' (70000) must be 1-65535");
    assertThatThrownBy(() -> valid().peers("bad id=127.0.0.1:7101"))
        .hasMessageContaining("peer id 'bad id' must be 1-64 characters");
    assertThatThrownBy(() -> valid().peers(" , ")).hasMessageContaining("is empty");
  }

  @Test
  void setters_outOfRange_nameTheFieldAndValue() {
    assertThatThrownBy(() -> valid().maxCommandBytes(0))
        .hasMessageContaining("maxCommandBytes (0)");
    assertThatThrownBy(() -> valid().logSegmentSizeBytes(1024))
        .hasMessageContaining("logSegmentSizeBytes (1024)");
    assertThatThrownBy(() -> valid().clusterName("no spaces"))
        .hasMessageContaining("clusterName 'no spaces'");
    assertThatThrownBy(() -> new SnapshotPolicy(0, 1)).hasMessageContaining("everyEntries (0)");
    assertThatThrownBy(() -> new SnapshotPolicy(10, 0)).hasMessageContaining("retained (0)");
  }

  @Test
  void build_commandLargerThanLogSegment_isRefused() {
    assertThatThrownBy(
            () -> valid().maxCommandBytes(1 << 20).logSegmentSizeBytes(512 << 10).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxCommandBytes (1048576) must be at least 64 KiB below");
  }

  @Test
  void clientBuilder_rejectsTinyTimeoutAndMissingPeers() {
    assertThatThrownBy(() -> BatonClient.newBuilder().requestTimeout(Duration.ofMillis(5)))
        .hasMessageContaining("requestTimeout (PT0.005S) must be between 100 ms and 60 s");
    assertThatThrownBy(() -> BatonClient.newBuilder().build()).hasMessage("peers is required");
  }
}
