package io.eventbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventMetadata;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.WireMessage;
import io.eventbus.jdbc.internal.NewRow;
import io.eventbus.jdbc.internal.StoredRow;
import io.eventbus.spi.OutboundMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutboxMessagesTest {
  private static OutboundMessage message(String id, Map<String, String> extensions) {
    Map<String, String> headers =
        new LinkedHashMap<>(
            CloudEventsAttributes.toHeaders(
                new EventMetadata(
                    id,
                    "order.placed.v1",
                    "/orders",
                    Instant.parse("2026-12-01T10:00:00Z"),
                    null,
                    null,
                    extensions)));
    headers.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    return new OutboundMessage(
        id,
        "order.placed.v1",
        new WireMessage(
            "{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8), "application/json", headers));
  }

  @Test
  void aRowReadBackIsTheMessageThatWasStoredByteForByte() {
    OutboundMessage original = message("e-1", Map.of("partitionkey", "o-1"));
    NewRow row = OutboxMessages.row(original);

    OutboundMessage read =
        OutboxMessages.message(
            new StoredRow(
                7,
                row.eventId(),
                row.eventType(),
                row.contentType(),
                row.headersJson(),
                row.body(),
                0));

    assertThat(row.partitionKey()).isEqualTo("o-1");
    assertThat(read.eventId()).isEqualTo("e-1");
    assertThat(read.message().headers()).isEqualTo(original.message().headers());
    assertThat(read.message().body()).isEqualTo(original.message().body());
    assertThat(read.message().contentType()).isEqualTo("application/json");
  }

  @Test
  void eventsOfOneKeyShareABucketAndEventsWithoutOneSpreadByTheirId() {
    NewRow first = OutboxMessages.row(message("e-1", Map.of("partitionkey", "o-1")));
    NewRow second = OutboxMessages.row(message("e-2", Map.of("partitionkey", "o-1")));
    assertThat(first.bucket()).isEqualTo(second.bucket()).isBetween(0, OutboxMessages.BUCKETS - 1);
    assertThat(first.keyLock()).isEqualTo(second.keyLock());

    long buckets =
        java.util.stream.IntStream.range(0, 200)
            .map(i -> OutboxMessages.row(message("e-" + i, Map.of())).bucket())
            .distinct()
            .count();
    assertThat(buckets).isEqualTo(OutboxMessages.BUCKETS);
  }

  @Test
  void aRowWhoseHeadersAreNotAMessagesIsRefusedWithTheReason() {
    NewRow row = OutboxMessages.row(message("e-1", Map.of()));
    assertThatThrownBy(
            () ->
                OutboxMessages.message(
                    new StoredRow(1, "e-1", "order.placed.v1", null, "[1]", row.body(), 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(
            () ->
                OutboxMessages.message(
                    new StoredRow(1, "e-1", "order.placed.v1", null, "{\"a\": 1}", row.body(), 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a' is not a string");
    assertThatThrownBy(
            () ->
                OutboxMessages.message(
                    new StoredRow(
                        1, "e-2", "order.placed.v1", null, row.headersJson(), row.body(), 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("event id and type");
  }
}
