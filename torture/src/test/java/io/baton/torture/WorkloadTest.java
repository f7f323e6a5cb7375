package io.baton.torture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class WorkloadTest {
  @Test
  void describe_keepsFailuresOnOnePrintableBoundedLine() {
    // Ratis puts the raw bytes of a failed request into some exception messages.
    assertThat(Workload.describe(new IllegalStateException("Message:\u0000\n\u0010key")))
        .isEqualTo("IllegalStateException: Message:???key");
    assertThat(Workload.describe(new RuntimeException("x".repeat(1000))))
        .hasSize(403)
        .endsWith("...");
    assertThat(Workload.describe(new RuntimeException())).isEqualTo("RuntimeException");
  }
}
