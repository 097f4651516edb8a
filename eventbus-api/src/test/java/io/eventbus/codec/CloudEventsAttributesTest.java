package io.eventbus.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventDecodingException;
import io.eventbus.EventMetadata;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudEventsAttributesTest {
  private static final EventMetadata METADATA =
      new EventMetadata(
          "e-1",
          "order.placed.v1",
          "/orders",
          Instant.parse("2026-11-25T10:15:30.123Z"),
          "order-7",
          "order-7",
          Map.of("tenant", "acme"));

  @Test
  void writesEveryAttributeUnderThePrefix() {
    assertThat(CloudEventsAttributes.toHeaders(METADATA))
        .containsExactly(
            Map.entry("cloudEvents:specversion", "1.0"),
            Map.entry("cloudEvents:id", "e-1"),
            Map.entry("cloudEvents:source", "/orders"),
            Map.entry("cloudEvents:type", "order.placed.v1"),
            Map.entry("cloudEvents:time", "2026-11-25T10:15:30.123Z"),
            Map.entry("cloudEvents:subject", "order-7"),
            Map.entry("cloudEvents:correlationid", "order-7"),
            Map.entry("cloudEvents:tenant", "acme"));
  }

  @Test
  void readsBackWhatItWrote() {
    assertThat(CloudEventsAttributes.fromHeaders(CloudEventsAttributes.toHeaders(METADATA)))
        .isEqualTo(METADATA);
  }

  @Test
  void acceptsTheUnderscorePrefixAndOffsetTimes() {
    Map<String, String> headers =
        Map.of(
            "cloudEvents_specversion", "1.0",
            "cloudEvents_id", "e-2",
            "cloudEvents_source", "urn:python",
            "cloudEvents_type", "order.placed.v1",
            "cloudEvents_time", "2026-11-25T11:15:30+01:00",
            "traceparent", "00-abc-def-01");

    EventMetadata metadata = CloudEventsAttributes.fromHeaders(headers);

    assertThat(metadata.id()).isEqualTo("e-2");
    assertThat(metadata.source()).isEqualTo("urn:python");
    assertThat(metadata.time()).isEqualTo(Instant.parse("2026-11-25T10:15:30Z"));
    assertThat(metadata.extensions()).isEmpty();
  }

  @Test
  void ignoresExtensionNamesTheSpecificationForbids() {
    Map<String, String> headers = new HashMap<>(CloudEventsAttributes.toHeaders(METADATA));
    headers.put("cloudEvents:Bad-Name", "x");

    assertThat(CloudEventsAttributes.fromHeaders(headers).extensions()).containsOnlyKeys("tenant");
  }

  @Test
  void aMissingTypeIsADecodingError() {
    Map<String, String> headers = new HashMap<>(CloudEventsAttributes.toHeaders(METADATA));
    headers.remove("cloudEvents:type");

    assertThatThrownBy(() -> CloudEventsAttributes.fromHeaders(headers))
        .isInstanceOf(EventDecodingException.class)
        .hasMessage("Missing required CloudEvents attribute type");
  }

  @Test
  void anotherSpecVersionIsADecodingError() {
    Map<String, String> headers = new HashMap<>(CloudEventsAttributes.toHeaders(METADATA));
    headers.put("cloudEvents:specversion", "0.3");

    assertThatThrownBy(() -> CloudEventsAttributes.fromHeaders(headers))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("'0.3'");
  }

  @Test
  void anInvalidTimeIsADecodingError() {
    Map<String, String> headers = new HashMap<>(CloudEventsAttributes.toHeaders(METADATA));
    headers.put("cloudEvents:time", "yesterday");

    assertThatThrownBy(() -> CloudEventsAttributes.fromHeaders(headers))
        .isInstanceOf(EventDecodingException.class)
        .satisfies(e -> assertThat(((EventDecodingException) e).eventId()).isEqualTo("e-1"));
  }
}
