package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.FailureDetection;
import io.baton.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader-path rehearsal runs against the real Ratis on the class path: two throwaway servers
 * elect a leader, take a write and a read, hand the leadership over and take another write. An
 * upgrade that breaks any of those steps fails here (in a node it would only be logged).
 */
final class LeaderPathWarmupTest {
  @TempDir Path dir;

  private NodeConfig config(FailureDetection fd) {
    return NodeConfig.newBuilder()
        .id("n1")
        .peers("n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103")
        .dataDir(dir.resolve("n1"))
        .failureDetection(fd)
        .build();
  }

  @Test
  void rehearsesWithTheFastSettings() throws Exception {
    Duration took = LeaderPathWarmup.run(config(FailureDetection.FAST));

    assertThat(took).isPositive();
  }

  @Test
  void rehearsesWithTheDefaultSettingsAndLeavesTheNodeDirectoryAlone() throws Exception {
    LeaderPathWarmup.run(config(FailureDetection.DEFAULT));

    assertThat(dir.resolve("n1")).doesNotExist();
  }
}
