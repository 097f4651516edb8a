package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import io.eventbus.EventBus;
import io.eventbus.EventDecodingException;
import io.eventbus.Handlers;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.middleware.Stage;
import io.eventbus.rabbitmq.TestEvents.Accepting;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Messages that cannot be handled are parked with their reason, and the consumer goes on. */
@EventBusTest(transport = TransportKind.BROKER)
class DeadLetterIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int MAX_BODY = 16 * 1024;
  private static final String TYPE = "it.payment.completed.v1";
  private static final byte[] VALID_BODY =
      "{\"orderId\":\"o-1\",\"amountCents\":100}".getBytes(StandardCharsets.UTF_8);

  static Stream<Arguments> badInput() {
    return Stream.of(
        Arguments.argumentSet(
            "malformed JSON",
            headers("bad-json", TYPE),
            "application/json",
            "{\"orderId\":".getBytes(StandardCharsets.UTF_8),
            "decoding-failed",
            EventDecodingException.class.getName(),
            "could not be decoded"),
        Arguments.argumentSet(
            "invalid UTF-8",
            headers("bad-utf8", TYPE),
            "application/json",
            new byte[] {'{', '"', 'o', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
            "decoding-failed",
            EventDecodingException.class.getName(),
            "UTF-8"),
        Arguments.argumentSet(
            "an unknown type name",
            headers("unknown-type", "it.nobody.knows.v1"),
            "application/json",
            VALID_BODY,
            "unknown-type",
            UnknownEventTypeException.class.getName(),
            "'it.nobody.knows.v1', which is not registered"),
        Arguments.argumentSet(
            "a missing type",
            headers("no-type", null),
            "application/json",
            VALID_BODY,
            "decoding-failed",
            EventDecodingException.class.getName(),
            "Missing required CloudEvents attribute type"),
        Arguments.argumentSet(
            "a wrong content type",
            headers("text", TYPE),
            "text/plain",
            VALID_BODY,
            "decoding-failed",
            EventDecodingException.class.getName(),
            "Unsupported content type 'text/plain'"),
        Arguments.argumentSet(
            "a body over the size limit",
            headers("too-big", TYPE),
            "application/json",
            ("{\"orderId\":\"" + "x".repeat(MAX_BODY) + "\",\"amountCents\":1}")
                .getBytes(StandardCharsets.UTF_8),
            "too-large",
            EventDecodingException.class.getName(),
            "over the codec's limit of " + MAX_BODY + " bytes"),
        Arguments.argumentSet(
            "nesting beyond the limit",
            headers("too-deep", TYPE),
            "application/json",
            ("{\"orderId\":\"o\",\"amountCents\":1,\"extra\":"
                    + "[".repeat(100)
                    + "]".repeat(100)
                    + "}")
                .getBytes(StandardCharsets.UTF_8),
            "decoding-failed",
            EventDecodingException.class.getName(),
            "nesting depth"));
  }

  @ParameterizedTest
  @MethodSource("badInput")
  void badInputIsParkedWithItsReasonAndTheNextEventIsHandled(
      Map<String, Object> headers,
      String contentType,
      byte[] body,
      String reason,
      String errorType,
      String errorMessage,
      EventBusFixture fixture)
      throws Exception {
    String subscription = "payments";
    String queue = fixture.queueName(subscription);
    AtomicInteger retried = new AtomicInteger();
    EventBus bus =
        fixture
            .busBuilder()
            .codec(JacksonEventCodec.builder().maxBodyBytes(MAX_BODY).build())
            .subscribe(
                SubscriptionOptions.builder(subscription)
                    .redeliveryDelays(Duration.ofMillis(100))
                    .addBefore(
                        Stage.DELAYED_REDELIVERY,
                        (delivery, chain) -> {
                          retried.incrementAndGet();
                          chain.proceed(delivery);
                        })
                    .build(),
                Handlers.scan(new Accepting()))
            .build();
    try (RawAmqp raw = RawAmqp.open(fixture)) {
      raw.publish(
          TYPE,
          new AMQP.BasicProperties.Builder().contentType(contentType).headers(headers).build(),
          body);
      bus.publishAndWait(new PaymentCompleted("o-2", 200));

      assertThat(fixture.recorder().awaitHandled(subscription, PaymentCompleted.class, 1, WAIT))
          .containsExactly(new PaymentCompleted("o-2", 200));
      GetResponse parked = raw.awaitMessages(queue + ".dlq", 1, WAIT).get(0);
      Map<String, String> parkedHeaders = RawAmqp.text(parked);
      assertThat(parked.getBody()).isEqualTo(body);
      assertThat(parked.getProps().getContentType()).isEqualTo(contentType);
      assertThat(parkedHeaders)
          .containsEntry("eventbus-dead-letter-reason", reason)
          .containsEntry("eventbus-error-type", errorType)
          .containsEntry("eventbus-attempts", "1")
          .containsEntry("eventbus-subscription", subscription)
          .containsEntry("eventbus-original-exchange", fixture.exchange())
          .containsEntry("eventbus-original-routing-key", TYPE)
          .containsKeys(
              "eventbus-first-failure-time",
              "eventbus-last-failure-time",
              "eventbus-error-stack-trace")
          .containsEntry("cloudEvents:id", headers.get("cloudEvents:id").toString());
      assertThat(parkedHeaders.get("eventbus-error-message")).contains(errorMessage);
      assertThat(raw.messageCount(queue)).isZero();
      assertThat(raw.messageCount(queue + ".retry.100")).isZero();
    }
    assertThat(retried).as("links after decode ran only for the valid event").hasValue(1);
  }

  static class FailingHandler {
    @io.eventbus.EventHandler
    void on(PaymentCompleted event) {
      if (event.amountCents() < 0) {
        throw new IllegalStateException("negative amount " + event.amountCents());
      }
    }
  }

  @Test
  void anEventWhoseHandlerThrowsIsParkedWithTheStackTrace(EventBusFixture fixture)
      throws Exception {
    String failing = "failing";
    String queue = fixture.queueName(failing);
    EventBus bus =
        fixture
            .busBuilder()
            .sleeper(duration -> {})
            .subscribe(
                SubscriptionOptions.builder(failing)
                    .retryPolicy(RetryPolicy.builder().maxAttempts(2).build())
                    .redeliveryDelays()
                    .build(),
                Handlers.scan(new FailingHandler()))
            .subscribe(SubscriptionOptions.named("healthy"), Handlers.scan(new Accepting()))
            .build();

    String id = bus.publishAndWait(new PaymentCompleted("o-3", -5)).eventId();

    try (RawAmqp raw = RawAmqp.open(fixture)) {
      GetResponse parked = raw.awaitMessages(queue + ".dlq", 1, WAIT).get(0);
      Map<String, String> headers = RawAmqp.text(parked);
      assertThat(headers)
          .containsEntry("eventbus-dead-letter-reason", "handler-failed")
          .containsEntry("eventbus-error-type", IllegalStateException.class.getName())
          .containsEntry("eventbus-error-message", "negative amount -5")
          .containsEntry("eventbus-attempts", "2")
          .containsEntry("eventbus-queue", queue)
          .containsEntry("cloudEvents:id", id);
      assertThat(headers.get("eventbus-error-stack-trace"))
          .contains("FailingHandler.on")
          .hasSizeLessThanOrEqualTo(4_000);
      assertThat(parked.getProps().getMessageId()).isEqualTo(id);
      assertThat(fixture.recorder().awaitHandled("healthy", PaymentCompleted.class, 1, WAIT))
          .hasSize(1);
      assertThat(raw.messageCount(queue)).isZero();
    }
  }

  private static Map<String, Object> headers(String id, String type) {
    Map<String, Object> headers = new HashMap<>();
    headers.put("cloudEvents:specversion", "1.0");
    headers.put("cloudEvents:id", id);
    headers.put("cloudEvents:source", "urn:test");
    if (type != null) {
      headers.put("cloudEvents:type", type);
    }
    return headers;
  }

  @Test
  void anEventIsStillParkedWhenItsDeadLetterQueueWasDeleted(EventBusFixture fixture)
      throws Exception {
    String failing = "dlq-gone";
    String queue = fixture.queueName(failing);
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder(failing)
                    .retryPolicy(RetryPolicy.none())
                    .redeliveryDelays()
                    .build(),
                Handlers.scan(new FailingHandler()))
            .build();
    try (RawAmqp raw = RawAmqp.open(fixture)) {
      try (com.rabbitmq.client.Channel channel = raw.channel()) {
        channel.queueDelete(queue + ".dlq");
      }

      String id = bus.publishAndWait(new PaymentCompleted("o-9", -1)).eventId();

      io.eventbus.testkit.Await.until(
          WAIT,
          () -> {
            try {
              return raw.messageCount(queue + ".dlq") == 1;
            } catch (java.io.IOException e) {
              return false; // not declared again yet
            }
          },
          "the dead-letter queue declared again, holding the event");
      GetResponse parked = raw.awaitMessages(queue + ".dlq", 1, WAIT).get(0);
      assertThat(parked.getProps().getMessageId()).isEqualTo(id);
      assertThat(RawAmqp.text(parked))
          .containsEntry("eventbus-dead-letter-reason", "handler-failed");
      assertThat(raw.messageCount(queue)).isZero();
    }
  }
}
