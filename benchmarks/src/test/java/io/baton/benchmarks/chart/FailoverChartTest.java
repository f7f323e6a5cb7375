package io.baton.benchmarks.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.benchmarks.report.JmhResults;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class FailoverChartTest {
  private static final int FAST_BLUE = 0x1f77b4;
  private static final int DEFAULT_ORANGE = 0xff7f0e;

  @TempDir Path dir;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void image_drawsEachProfileInItsColour_andGrowsWithTheNumberOfProfiles() throws IOException {
    Path file = dir.resolve("failover.json");
    try (InputStream in = FailoverChartTest.class.getResourceAsStream("/jmh/failover.json")) {
      Files.copy(in, file);
    }
    var runs = JmhResults.read(file);

    BufferedImage both = FailoverChart.image(runs, "caption");
    BufferedImage one = FailoverChart.image(runs.subList(0, 1), "caption");

    assertThat(both.getWidth()).isEqualTo(1000);
    assertThat(both.getHeight()).isGreaterThan(one.getHeight());
    assertThat(contains(both, FAST_BLUE)).isTrue();
    assertThat(contains(both, DEFAULT_ORANGE)).isTrue();
    assertThat(contains(one, DEFAULT_ORANGE)).isFalse();
  }

  private static boolean contains(BufferedImage image, int rgb) {
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == rgb) {
          return true;
        }
      }
    }
    return false;
  }
}
