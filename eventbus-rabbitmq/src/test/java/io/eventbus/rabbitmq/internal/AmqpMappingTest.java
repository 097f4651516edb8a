package io.eventbus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.LongStringHelper;
import io.eventbus.EventMetadata;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.WireMessage;
import io.eventbus.rabbitmq.RabbitTopology;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AmqpMappingTest {
  private static final byte[] BODY = "{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8);

  private static WireMessage message(String time, String... extra) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(CloudEventsAttributes.SPECVERSION, "1.0");
    headers.put(CloudEventsAttributes.ID, "e-1");
    headers.put(CloudEventsAttributes.SOURCE, "/orders");
    headers.put(CloudEventsAttributes.TYPE, "order.placed.v1");
    headers.put(CloudEventsAttributes.TIME, time);
    for (int i = 0; i < extra.length; i += 2) {
      headers.put(extra[i], extra[i + 1]);
    }
    return new WireMessage(BODY, "application/json", headers);
  }

  @Test
  void theAttributesTravelAsHeadersAndAreMirroredInTheProperties() {
    WireMessage message =
        message("2026-12-01T10:15:30.250Z", CloudEventsAttributes.CORRELATION_ID, "c-9");

    AMQP.BasicProperties properties = AmqpMapping.properties(message);

    assertThat(properties.getHeaders()).isEqualTo(Map.copyOf(message.headers()));
    assertThat(properties.getContentType()).isEqualTo("application/json");
    assertThat(properties.getDeliveryMode()).as("persistent").isEqualTo(2);
    assertThat(properties.getMessageId()).isEqualTo("e-1");
    assertThat(properties.getType()).isEqualTo("order.placed.v1");
    assertThat(properties.getAppId()).isEqualTo("/orders");
    assertThat(properties.getCorrelationId()).isEqualTo("c-9");
    assertThat(properties.getTimestamp())
        .as("AMQP timestamps are whole seconds")
        .isEqualTo(Date.from(Instant.parse("2026-12-01T10:15:30Z")));
  }

  @Test
  void timestampsAreRightWithinASecondAcrossSecondsAndWithOffsets() {
    assertThat(AmqpMapping.properties(message("2026-12-01T10:15:30.001Z")).getTimestamp())
        .isEqualTo(Date.from(Instant.parse("2026-12-01T10:15:30Z")));
    assertThat(AmqpMapping.properties(message("2026-12-01T10:15:30.999Z")).getTimestamp())
        .isEqualTo(Date.from(Instant.parse("2026-12-01T10:15:30Z")));
    assertThat(AmqpMapping.properties(message("2026-12-01T10:15:31Z")).getTimestamp())
        .isEqualTo(Date.from(Instant.parse("2026-12-01T10:15:31Z")));
    assertThat(AmqpMapping.properties(message("2026-12-01T11:15:31+01:00")).getTimestamp())
        .isEqualTo(Date.from(Instant.parse("2026-12-01T10:15:31Z")));
    assertThat(AmqpMapping.properties(message("not a time")).getTimestamp()).isNull();
  }

  @Test
  void aKeyedMessageCarriesItsPartitionAndAnUnkeyedOneDoesNot() {
    RabbitTopology topology = RabbitTopology.builder().partitions(8).build();

    AMQP.BasicProperties keyed =
        AmqpMapping.properties(
            message("2026-12-01T10:15:30Z", CloudEventsAttributes.PREFIX + "partitionkey", "o-42"),
            topology);
    AMQP.BasicProperties unkeyed =
        AmqpMapping.properties(message("2026-12-01T10:15:30Z"), topology);

    assertThat(keyed.getHeaders())
        .containsEntry(
            RabbitTopology.PARTITION_HEADER, Integer.toString(topology.partitionOf("o-42")));
    assertThat(unkeyed.getHeaders()).doesNotContainKey(RabbitTopology.PARTITION_HEADER);
  }

  @Test
  void receivedHeadersBecomeTextWhateverTheirAmqpType() {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("cloudEvents:id", LongStringHelper.asLongString("e-1"));
    headers.put("cloudEvents:source", "/orders");
    headers.put("eventbus-attempts", 3);
    headers.put("small", (byte) 7);
    headers.put("flag", true);
    headers.put("when", Date.from(Instant.parse("2026-12-01T10:15:30Z")));
    headers.put("binary", "b".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    headers.put("x-death", List.of(Map.of("count", 1L)));
    headers.put("table", Map.of("k", "v"));
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder().contentType("application/json").headers(headers).build();

    WireMessage message = AmqpMapping.wireMessage(properties, BODY);

    assertThat(message.headers())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "cloudEvents:id", "e-1",
                "cloudEvents:source", "/orders",
                "eventbus-attempts", "3",
                "small", "7",
                "flag", "true",
                "when", "2026-12-01T10:15:30Z",
                "binary", "b"));
    assertThat(message.body()).isEqualTo(BODY);
    assertThat(message.contentType()).isEqualTo("application/json");
  }

  @Test
  void aMessageWrittenWithEitherPrefixReadsAsTheSameEvent() {
    Map<String, Object> colon = new LinkedHashMap<>();
    Map<String, Object> underscore = new LinkedHashMap<>();
    for (String attribute :
        List.of(
            "specversion=1.0",
            "id=e-1",
            "source=/orders",
            "type=order.placed.v1",
            "time=2026-12-01T10:15:30Z")) {
      String[] pair = attribute.split("=", 2);
      colon.put(CloudEventsAttributes.PREFIX + pair[0], LongStringHelper.asLongString(pair[1]));
      underscore.put(CloudEventsAttributes.ALTERNATE_PREFIX + pair[0], pair[1]);
    }

    EventMetadata fromColon =
        CloudEventsAttributes.fromHeaders(
            AmqpMapping.wireMessage(new AMQP.BasicProperties.Builder().headers(colon).build(), BODY)
                .headers());
    EventMetadata fromUnderscore =
        CloudEventsAttributes.fromHeaders(
            AmqpMapping.wireMessage(
                    new AMQP.BasicProperties.Builder().headers(underscore).build(), BODY)
                .headers());

    assertThat(fromUnderscore).isEqualTo(fromColon);
    assertThat(fromColon.id()).isEqualTo("e-1");
    assertThat(fromColon.type()).isEqualTo("order.placed.v1");
  }

  @Test
  void aMessageWithoutHeadersHasNone() {
    WireMessage message = AmqpMapping.wireMessage(new AMQP.BasicProperties.Builder().build(), BODY);

    assertThat(message.headers()).isEmpty();
    assertThat(message.contentType()).isNull();
  }

  @Test
  void headerValuesSentAsByteArraysAreReadAsUtf8() {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("cloudEvents:id", "e-1".getBytes(StandardCharsets.UTF_8));
    raw.put("cloudEvents:type", "order.placed.v1".getBytes(StandardCharsets.UTF_8));
    raw.put("cloudEvents:source", LongStringHelper.asLongString("/orders"));
    raw.put("note", "é".getBytes(StandardCharsets.UTF_8));

    WireMessage message =
        AmqpMapping.wireMessage(new AMQP.BasicProperties.Builder().headers(raw).build(), BODY);

    assertThat(message.headers())
        .containsEntry("cloudEvents:id", "e-1")
        .containsEntry("cloudEvents:type", "order.placed.v1")
        .containsEntry("cloudEvents:source", "/orders")
        .containsEntry("note", "é");
  }
}
