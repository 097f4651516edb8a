package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventDecodingException;
import io.eventbus.EventMetadata;
import io.eventbus.EventTypeRegistry;
import io.eventbus.Handlers;
import io.eventbus.Handlers.Registration;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.internal.PipelineTest.Inbound;
import io.eventbus.internal.PipelineTest.Thing;
import io.eventbus.spi.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What a hostile or broken message does to the pipeline: each is settled once with the right
 * category, never throws out of the pipeline, and a handler's own failure is never blamed on the
 * incoming message.
 */
class HostileDeliveryTest {
  private static final String TYPE = "test.thing.v1";
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  record NotRegistered(String x) {}

  private Pipeline pipeline(JacksonEventCodec codec, Consumer<Thing> handler) {
    SubscriptionOptions options =
        SubscriptionOptions.builder("orders")
            .retryPolicy(RetryPolicy.none())
            .redeliveryDelays(Duration.ofSeconds(1), Duration.ofSeconds(10))
            .build();
    Registration<?> registration =
        Handlers.builder()
            .on(Thing.class, (event, context) -> handler.accept(event))
            .build()
            .registrations()
            .values()
            .iterator()
            .next();
    return new Pipeline(
        "orders",
        Map.of(TYPE, registration),
        () -> EventTypeRegistry.builder().register(Thing.class).build(),
        codec,
        options,
        Clock.fixed(NOW, ZoneOffset.UTC),
        duration -> {},
        Telemetry.disabled());
  }

  private Pipeline pipeline(Consumer<Thing> handler) {
    return pipeline(JacksonEventCodec.create(), handler);
  }

  private static Inbound message(String type, String body, Map<String, String> extra) {
    Map<String, String> headers =
        new LinkedHashMap<>(
            CloudEventsAttributes.toHeaders(EventMetadata.of("e-1", type, "/test", NOW)));
    headers.putAll(extra);
    return new Inbound(
        new WireMessage(body.getBytes(StandardCharsets.UTF_8), "application/json", headers));
  }

  private static Inbound valid(Map<String, String> extra) {
    return message(TYPE, "{\"name\":\"n\"}", extra);
  }

  @Test
  void aHandlersOwnFailedPublishOfAnUnregisteredClassIsAHandlerFailure() {
    Inbound inbound = valid(Map.of());

    pipeline(
            thing -> {
              throw UnknownEventTypeException.unregisteredClass(NotRegistered.class);
            })
        .accept(inbound);

    assertThat(inbound.settlements).containsExactly("deadLetter");
    assertThat(inbound.reason.category()).isEqualTo(DeadLetterReason.CATEGORY_HANDLER_FAILED);
    assertThat(inbound.reason.errorType()).isEqualTo(UnknownEventTypeException.class.getName());
  }

  @Test
  void aHandlerThatThrowsADecodingExceptionOfItsOwnIsAHandlerFailure() {
    Inbound inbound = valid(Map.of());

    pipeline(
            thing -> {
              throw new EventDecodingException("x", "y", "the handler's own parse failed", null);
            })
        .accept(inbound);

    assertThat(inbound.reason.category()).isEqualTo(DeadLetterReason.CATEGORY_HANDLER_FAILED);
  }

  @Test
  void theDecodeLinksOwnRefusalsKeepTheirCategories() {
    Inbound unknown = message("nobody.handles.this", "{}", Map.of());
    Inbound malformed = message(TYPE, "{\"name\":", Map.of());
    Inbound duplicate = message(TYPE, "{\"name\":\"a\",\"name\":\"b\"}", Map.of());
    Inbound missing = message(TYPE, "{}", Map.of());
    Inbound javaClass = message("java.lang.Runtime", "{}", Map.of());

    for (Inbound inbound : List.of(unknown, malformed, duplicate, missing, javaClass)) {
      pipeline(thing -> {}).accept(inbound);
      assertThat(inbound.settlements).containsExactly("deadLetter");
    }

    assertThat(unknown.reason.category()).isEqualTo(DeadLetterReason.CATEGORY_UNKNOWN_TYPE);
    assertThat(javaClass.reason.category()).isEqualTo(DeadLetterReason.CATEGORY_UNKNOWN_TYPE);
    assertThat(List.of(malformed, duplicate, missing))
        .extracting(inbound -> inbound.reason.category())
        .containsOnly(DeadLetterReason.CATEGORY_DECODING_FAILED);
    assertThat(missing.reason.errorMessage()).contains("component 'name' is missing");
  }

  @Test
  void aBodyOverTheCodecsLimitIsParkedAsTooLargeWithoutDecoding() {
    Inbound inbound = message(TYPE, "{\"name\":\"" + "x".repeat(100) + "\"}", Map.of());

    pipeline(JacksonEventCodec.builder().maxBodyBytes(64).build(), thing -> {}).accept(inbound);

    assertThat(inbound.reason.category()).isEqualTo(DeadLetterReason.CATEGORY_TOO_LARGE);
    assertThat(inbound.reason.errorMessage())
        .contains("over the codec's limit of 64 bytes")
        .doesNotContain("xxxx");
  }

  @Test
  void aTypeNameWithLineBreaksIsEscapedInTheReason() {
    Inbound inbound = message("evil\r\nINFO forged line", "{}", Map.of());

    pipeline(thing -> {}).accept(inbound);

    assertThat(inbound.reason.errorMessage())
        .contains("evil\\r\\nINFO forged line")
        .doesNotContain("\n")
        .doesNotContain("\r");
  }

  @Test
  void forgedHistoryHeadersAreReadAsAbsentCountedAndTheEventIsHandled() {
    Pipeline pipeline = pipeline(thing -> {});
    Inbound inbound =
        valid(
            Map.of(
                DeadLetterReason.HEADER_ATTEMPTS, "2147483647",
                DeadLetterReason.HEADER_REDELIVERIES, "99999999999",
                DeadLetterReason.HEADER_FIRST_FAILURE, "+1000000000-12-31T23:59:59Z"));
    inbound.deliveryCount = Integer.MAX_VALUE;

    pipeline.accept(inbound);

    assertThat(inbound.settlements).containsExactly("ack");
    assertThat(pipeline.invalidHistoryValues()).isEqualTo(4);
  }

  @Test
  void aFailingEventWithAForgedRedeliveryCountStartsItsRedeliveriesAfreshAndStillEnds() {
    Pipeline pipeline =
        pipeline(
            thing -> {
              throw new IllegalStateException("down");
            });
    Inbound inbound = valid(Map.of(DeadLetterReason.HEADER_REDELIVERIES, "2147483647"));

    pipeline.accept(inbound);
    Inbound second = inbound.next();
    pipeline.accept(second);
    Inbound third = second.next();
    pipeline.accept(third);

    assertThat(inbound.settlements).containsExactly("redeliverAfter");
    assertThat(inbound.history).containsEntry(DeadLetterReason.HEADER_REDELIVERIES, "1");
    assertThat(second.settlements).containsExactly("redeliverAfter");
    assertThat(third.settlements).containsExactly("deadLetter");
    assertThat(third.reason.attempts()).isEqualTo(3);
  }
}
