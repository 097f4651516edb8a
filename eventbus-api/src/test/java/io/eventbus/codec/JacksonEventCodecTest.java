package io.eventbus.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class JacksonEventCodecTest {
  record Line(String sku, int quantity) {}

  record OrderPlaced(
      String orderId, BigDecimal total, Instant placedAt, LocalDate delivery, List<Line> lines) {}

  private final JacksonEventCodec codec = JacksonEventCodec.create();

  @Test
  void recordsAndJavaTimeRoundTrip() throws Exception {
    OrderPlaced order =
        new OrderPlaced(
            "o-1",
            new BigDecimal("19.90"),
            Instant.parse("2026-11-25T10:15:30.123456Z"),
            LocalDate.of(2026, 12, 1),
            List.of(new Line("sku-1", 2)));

    byte[] body = codec.encode(order);

    assertThat(new String(body, StandardCharsets.UTF_8))
        .contains("\"placedAt\":\"2026-11-25T10:15:30.123456Z\"")
        .contains("\"delivery\":\"2026-12-01\"");
    assertThat(codec.decode(body, OrderPlaced.class)).isEqualTo(order);
  }

  @Test
  void unknownPropertiesAreTolerated() throws Exception {
    byte[] body =
        "{\"sku\":\"a\",\"quantity\":1,\"addedLater\":true}".getBytes(StandardCharsets.UTF_8);

    assertThat(codec.decode(body, Line.class)).isEqualTo(new Line("a", 1));
  }

  @Test
  void malformedJsonTrailingTokensAndNullAreRejected() {
    assertThatThrownBy(() -> codec.decode(bytes("{\"sku\":"), Line.class)).isNotNull();
    assertThatThrownBy(() -> codec.decode(bytes("{\"sku\":\"a\"} trailing"), Line.class))
        .isNotNull();
    assertThatThrownBy(() -> codec.decode(bytes("null"), Line.class)).hasMessageContaining("null");
  }

  @Test
  void invalidUtf8IsRejected() {
    byte[] body = {'{', '"', 's', 'k', 'u', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

    assertThatThrownBy(() -> codec.decode(body, Line.class)).hasMessageContaining("UTF-8");
  }

  @Test
  void bodiesOverTheSizeLimitAreRejectedBeforeParsing() {
    JacksonEventCodec small = JacksonEventCodec.builder().maxBodyBytes(16).build();

    assertThatThrownBy(() -> small.decode(bytes("{\"sku\":\"aaaaaaaaaaaaaaa\"}"), Line.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("over the limit of 16 bytes");
  }

  @Test
  void nestingBeyondTheLimitIsRejected() {
    JacksonEventCodec shallow = JacksonEventCodec.builder().maxNestingDepth(8).build();
    String deep = "{\"unknown\":" + "[".repeat(20) + "]".repeat(20) + "}";

    assertThatThrownBy(() -> shallow.decode(bytes(deep), Line.class))
        .hasMessageContaining("nesting depth");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
