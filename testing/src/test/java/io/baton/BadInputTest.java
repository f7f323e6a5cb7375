package io.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.statemachine.Keys;
import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input from clients gets a clear error and changes nothing. */
final class BadInputTest {
  @TempDir Path dir;

  @Test
  void malformedCommandsAndQueries_areRejectedWithAClearError_andLeaveStateUnchanged() {
    try (LocalCluster cluster =
        LocalCluster.start(
            3, dir, id -> new RegisterStateMachine(), b -> b.maxCommandBytes(1024))) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      client.submit(RegisterStateMachine.put("k", "v"));
      StateDigest before = cluster.awaitConverged();

      assertThatThrownBy(() -> client.submit("remove k".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(CommandRejectedException.class)
          .hasMessageContaining("expected 'put <key> <value>'")
          .hasMessageContaining("'remove k'");
      assertThatThrownBy(() -> client.submit(new byte[0]))
          .isInstanceOf(CommandRejectedException.class);
      Random random = new Random(42);
      for (int i = 0; i < 20; i++) {
        byte[] garbage = new byte[1 + random.nextInt(200)];
        random.nextBytes(garbage);
        garbage[0] = (byte) 0xFF; // never a valid "put"
        assertThatThrownBy(() -> client.submit(garbage))
            .isInstanceOf(CommandRejectedException.class);
      }
      byte[] tooLarge = RegisterStateMachine.put("big", "x".repeat(2000));
      assertThatThrownBy(() -> client.submit(tooLarge))
          .isInstanceOf(CommandRejectedException.class)
          .hasMessageContaining("maximum is 1024");
      assertThatThrownBy(() -> client.query("select *".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(QueryRejectedException.class)
          .hasMessageContaining("expected 'get <key>' or 'count'");

      StateDigest after = cluster.awaitConverged();
      assertThat(after.sha256()).isEqualTo(before.sha256());
      assertThat(Keys.utf8(client.query(RegisterStateMachine.get("k")))).isEqualTo("v");
      // The cluster still works normally after all that.
      client.submit(RegisterStateMachine.put("k2", "v2"));
      assertThat(Keys.toLong(client.query("count".getBytes(StandardCharsets.UTF_8)))).isEqualTo(2);
    }
  }
}
