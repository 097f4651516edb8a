package io.eventbus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import io.eventbus.spi.DeadLetterReason;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A parked or redelivered copy always fits the frame, and says what had to give way. */
class CopyHeadersTest {
  private static final int FRAME = 16 * 1024;
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  private static AMQP.BasicProperties original(Map<String, Object> extra) {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("cloudEvents:specversion", "1.0");
    headers.put("cloudEvents:id", "e-1");
    headers.put("cloudEvents:type", "order.placed.v1");
    headers.put("cloudEvents:source", "/orders");
    headers.putAll(extra);
    return new AMQP.BasicProperties.Builder()
        .messageId("e-1")
        .contentType("application/json")
        .headers(headers)
        .build();
  }

  private static Map<String, Object> reason() {
    DeadLetterReason reason =
        new DeadLetterReason(
            DeadLetterReason.CATEGORY_UNKNOWN_TYPE,
            "io.eventbus.UnknownEventTypeException",
            "m".repeat(1_000),
            "s".repeat(4_000),
            1,
            NOW,
            NOW,
            "orders");
    Map<String, Object> ours = new LinkedHashMap<>(reason.toHeaders());
    ours.put(DeadLetterReason.HEADER_ORIGINAL_EXCHANGE, "bus");
    ours.put(DeadLetterReason.HEADER_ORIGINAL_ROUTING_KEY, "order.placed.v1");
    ours.put(DeadLetterReason.HEADER_QUEUE, "orders");
    return ours;
  }

  @Test
  void aCopyThatFitsIsTheOriginalPlusOursUnchanged() {
    CopyHeaders.Fitted fitted =
        CopyHeaders.fit(original(Map.of("note", "n")), reason(), Set.of(), FRAME);

    assertThat(fitted.shortened()).isEmpty();
    assertThat(fitted.removed()).isEmpty();
    assertThat(fitted.properties().getHeaders())
        .containsEntry("note", "n")
        .containsEntry(DeadLetterReason.HEADER_STACK_TRACE, "s".repeat(4_000))
        .doesNotContainKey(DeadLetterReason.HEADER_TRUNCATED);
    assertThat(fitted.properties().getDeliveryMode()).isEqualTo(2);
    assertThat(fitted.properties().getMessageId()).isEqualTo("e-1");
  }

  @Test
  void ourTextsAreTruncatedFirstWhenTheOriginalLeavesLittleRoom() {
    CopyHeaders.Fitted fitted =
        CopyHeaders.fit(original(Map.of("big", "x".repeat(12_000))), reason(), Set.of(), FRAME);

    assertThat(FrameSizes.contentHeaderFrame(fitted.properties())).isLessThanOrEqualTo(FRAME);
    assertThat(fitted.removed()).isEmpty();
    assertThat(fitted.shortened())
        .containsExactly(
            DeadLetterReason.HEADER_STACK_TRACE + "=truncated",
            DeadLetterReason.HEADER_ERROR_MESSAGE + "=truncated");
    Map<String, Object> headers = fitted.properties().getHeaders();
    assertThat((String) headers.get(DeadLetterReason.HEADER_STACK_TRACE))
        .hasSize(CopyHeaders.SHORT_TRACE);
    assertThat(headers)
        .containsEntry("big", "x".repeat(12_000))
        .containsEntry(
            DeadLetterReason.HEADER_TRUNCATED,
            "eventbus-error-stack-trace=truncated,eventbus-error-message=truncated");
  }

  @Test
  void thenOurOptionalHeadersAreDroppedAndTheEssentialOnesKept() {
    CopyHeaders.Fitted fitted =
        CopyHeaders.fit(original(Map.of("big", "x".repeat(15_000))), reason(), Set.of(), FRAME);

    assertThat(FrameSizes.contentHeaderFrame(fitted.properties())).isLessThanOrEqualTo(FRAME);
    assertThat(fitted.removed()).isEmpty();
    assertThat(fitted.shortened()).contains(DeadLetterReason.HEADER_STACK_TRACE + "=dropped");
    assertThat(fitted.properties().getHeaders())
        .containsEntry("big", "x".repeat(15_000))
        .containsEntry(DeadLetterReason.HEADER_REASON, "unknown-type")
        .containsEntry(DeadLetterReason.HEADER_ATTEMPTS, "1")
        .containsEntry(DeadLetterReason.HEADER_SUBSCRIPTION, "orders")
        .containsEntry(DeadLetterReason.HEADER_QUEUE, "orders")
        .containsKey(DeadLetterReason.HEADER_ERROR_TYPE)
        .doesNotContainKey(DeadLetterReason.HEADER_STACK_TRACE);
  }

  @Test
  void lastTheOriginalsLargestHeadersAreRemovedAndNamedButNotItsAttributes() {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("small", "s");
    extra.put("huge", "h".repeat(12_000));
    extra.put("large", "l".repeat(4_100));
    CopyHeaders.Fitted fitted = CopyHeaders.fit(original(extra), reason(), Set.of(), FRAME);

    assertThat(FrameSizes.contentHeaderFrame(fitted.properties())).isLessThanOrEqualTo(FRAME);
    assertThat(fitted.removed()).containsExactly("huge");
    assertThat(fitted.properties().getHeaders())
        .containsEntry(DeadLetterReason.HEADER_REMOVED_HEADERS, "huge")
        .containsEntry("small", "s")
        .containsEntry("large", "l".repeat(4_100))
        .containsEntry("cloudEvents:id", "e-1")
        .containsEntry(DeadLetterReason.HEADER_REASON, "unknown-type");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1_000, 5_000, 10_000, 14_000, 15_500, 16_000, 16_300})
  void whateverTheOriginalsHeadersTheCopyFits(int userBytes) {
    Map<String, Object> extra = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      extra.put("h" + i, "v".repeat(userBytes / 4));
    }

    CopyHeaders.Fitted fitted = CopyHeaders.fit(original(extra), reason(), Set.of(), FRAME);

    assertThat(FrameSizes.contentHeaderFrame(fitted.properties())).isLessThanOrEqualTo(FRAME);
    assertThat(fitted.properties().getHeaders())
        .containsKeys(
            DeadLetterReason.HEADER_REASON,
            DeadLetterReason.HEADER_ERROR_TYPE,
            DeadLetterReason.HEADER_ATTEMPTS,
            DeadLetterReason.HEADER_QUEUE);
  }

  @Test
  void headersNamedInWithoutAreLeftOut() {
    CopyHeaders.Fitted fitted =
        CopyHeaders.fit(
            original(Map.of(BrokerHeaders.DELIVERY_COUNT, 3L)),
            Map.of(DeadLetterReason.HEADER_REDELIVERIES, "1"),
            Set.of(BrokerHeaders.DELIVERY_COUNT),
            FRAME);

    assertThat(fitted.properties().getHeaders())
        .doesNotContainKey(BrokerHeaders.DELIVERY_COUNT)
        .containsEntry(DeadLetterReason.HEADER_REDELIVERIES, "1");
  }

  @Test
  void theCheapBoundNeverSaysFitsWhenTheExactSizeDoesNot() {
    for (int size = 100; size < 40_000; size += 997) {
      AMQP.BasicProperties properties = original(Map.of("v", "é".repeat(size)));
      int exact = FrameSizes.contentHeaderFrame(properties);
      assertThat(FrameSizes.fits(properties, exact)).isTrue();
      assertThat(FrameSizes.fits(properties, exact - 1)).isFalse();
    }
  }
}
