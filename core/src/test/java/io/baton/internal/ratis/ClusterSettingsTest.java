package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.internal.proto.ClusterSettingsProto;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The stored and replicated form of ClusterSettings, in the current format and the first one. */
final class ClusterSettingsTest {
  private static final ClusterSettings SAMPLE =
      new ClusterSettings(false, Map.of("n1", 3, "n2", 1, "ünï", 7), Set.of("n3", "n4"));

  /** What the first version's encoder wrote for SAMPLE ("key=value" lines, sorted). */
  private static final String SAMPLE_TEXT =
      "autoFailback=false\n"
          + "priority.n1=3\n"
          + "priority.n2=1\n"
          + "priority.ünï=7\n"
          + "drained.n3=true\n"
          + "drained.n4=true\n";

  @Test
  void encode_roundTrips() {
    assertThat(ClusterSettings.decode(SAMPLE.encode())).isEqualTo(SAMPLE);
    assertThat(ClusterSettings.decode(ClusterSettings.DEFAULT.encode()))
        .isEqualTo(ClusterSettings.DEFAULT);
  }

  @Test
  void encode_startsWithTheFormatByteThenAProtobufMessage() throws Exception {
    byte[] bytes = SAMPLE.encode();

    assertThat(bytes[0]).isEqualTo(ClusterSettings.FORMAT_PROTO);
    ClusterSettingsProto proto =
        ClusterSettingsProto.parseFrom(java.util.Arrays.copyOfRange(bytes, 1, bytes.length));
    assertThat(proto.getAutoFailback()).isFalse();
    assertThat(proto.getPrioritiesMap()).containsEntry("n1", 3).hasSize(3);
    assertThat(proto.getDrainedList()).containsExactly("n3", "n4");
  }

  @Test
  void decode_firstFormatText_stillDecodes() {
    assertThat(ClusterSettings.decode(SAMPLE_TEXT.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(SAMPLE);
    assertThat(ClusterSettings.decode("autoFailback=true\n".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(ClusterSettings.DEFAULT);
  }

  @Test
  void decode_absentOrEmpty_isTheDefault() {
    assertThat(ClusterSettings.decode(Optional.empty())).isEqualTo(ClusterSettings.DEFAULT);
    assertThat(ClusterSettings.decode(new byte[0])).isEqualTo(ClusterSettings.DEFAULT);
  }

  @Test
  void decode_protobufWithoutAutoFailback_meansFailbackOn() {
    byte[] proto = ClusterSettingsProto.newBuilder().putPriorities("n1", 2).build().toByteArray();
    byte[] bytes = new byte[proto.length + 1];
    bytes[0] = ClusterSettings.FORMAT_PROTO;
    System.arraycopy(proto, 0, bytes, 1, proto.length);

    assertThat(ClusterSettings.decode(bytes))
        .isEqualTo(new ClusterSettings(true, Map.of("n1", 2), Set.of()));
  }

  @Test
  void decode_malformedProtobuf_isRefused() {
    assertThatThrownBy(
            () -> ClusterSettings.decode(new byte[] {ClusterSettings.FORMAT_PROTO, 0x0A}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cluster settings are malformed");
  }
}
