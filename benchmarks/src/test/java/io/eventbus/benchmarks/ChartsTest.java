package io.eventbus.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
  @TempDir Path folder;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void aLineChartIsAPngOfTheChartSize() throws Exception {
    Path file = folder.resolve("img/lines.png");
    Charts.lines(
        file,
        "latency",
        "seconds",
        "ms",
        List.of(
            new Charts.Series("p50", new double[] {1, 2, 3}, new double[] {1, 2, 1.5}, 0, false),
            new Charts.Series("p99", new double[] {1, 2, 3}, new double[] {10, 0, 30}, 0, true)),
        true);

    BufferedImage image = ImageIO.read(file.toFile());
    assertThat(image.getWidth()).isEqualTo(Charts.WIDTH);
    assertThat(image.getHeight()).isEqualTo(Charts.HEIGHT);
  }

  @Test
  void aBarChartLeavesAGapForAMissingValue() throws Exception {
    Path file = folder.resolve("bars.png");
    Charts.bars(
        file,
        "throughput",
        "events/s",
        List.of("publish", "consume"),
        List.of("raw", "eventbus"),
        new double[][] {{20_000, 30_000}, {18_000, Double.NaN}});

    assertThat(ImageIO.read(file.toFile())).isNotNull();
  }

  @Test
  void anEmptyChartIsStillDrawn() throws Exception {
    Path file = folder.resolve("empty.png");
    Charts.lines(file, "nothing", "x", "y", List.of(), false);

    assertThat(ImageIO.read(file.toFile())).isNotNull();
  }

  @Test
  void labelsAreShort() {
    assertThat(Charts.compact(250_000)).isEqualTo("250k");
    assertThat(Charts.compact(12_345)).isEqualTo("12,345");
    assertThat(Charts.compact(12.5)).isEqualTo("12.5");
    assertThat(Charts.compact(1.5)).isEqualTo("1.5");
    assertThat(Charts.compact(0.25)).isEqualTo("0.25");
    assertThat(Charts.compact(0)).isEqualTo("0");
  }
}
