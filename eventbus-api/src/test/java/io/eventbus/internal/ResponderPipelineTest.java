package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventType;
import io.eventbus.EventTypeRegistry;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.RequestHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A responder subscription's pipeline: the reply link, the deadline check, the responder. */
class ResponderPipelineTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @EventType("test.quote.v1")
  record GetQuote(String sku) {}

  @EventType("test.quoted.v1")
  record Quote(String sku, int cents) {}

  record NotAnEventType(String sku) {}

  /** Records what the pipeline did with one request. */
  static final class Request implements InboundMessage {
    final WireMessage message;
    final List<String> settlements = new ArrayList<>();
    final List<WireMessage> replies = new ArrayList<>();

    Request(WireMessage message) {
      this.message = message;
    }

    @Override
    public WireMessage message() {
      return message;
    }

    @Override
    public boolean redelivered() {
      return false;
    }

    @Override
    public void ack() {
      settlements.add("ack");
    }

    @Override
    public void requeue() {
      settlements.add("requeue");
    }

    @Override
    public void deadLetter(DeadLetterReason reason) {
      settlements.add("deadLetter");
    }

    @Override
    public void redeliverAfter(Duration delay, Map<String, String> headers) {
      settlements.add("redeliver");
    }

    @Override
    public void reply(WireMessage reply) {
      replies.add(reply);
    }
  }

  private static Pipeline pipeline(Handlers handlers) {
    Map<String, Handlers.Responder<?>> byType = new LinkedHashMap<>();
    handlers.responders().forEach((type, responder) -> byType.put("test.quote.v1", responder));
    EventTypeRegistry registry = EventTypeRegistry.builder().register(GetQuote.class).build();
    return new Pipeline(
        "quotes",
        byType,
        () -> registry,
        JacksonEventCodec.create(),
        SubscriptionOptions.named("quotes"),
        CLOCK,
        Telemetry.disabled(),
        new ReplyWriter("/quotes", CLOCK, JacksonEventCodec.create(), () -> registry),
        RequestTelemetry.disabled());
  }

  private static Request request(String id, String body, Instant deadline) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("cloudEvents:specversion", "1.0");
    headers.put("cloudEvents:id", id);
    headers.put("cloudEvents:source", "/orders");
    headers.put("cloudEvents:type", "test.quote.v1");
    headers.put(RequestHeaders.DEADLINE, deadline.toString());
    return new Request(
        new WireMessage(body.getBytes(StandardCharsets.UTF_8), "application/json", headers));
  }

  @Test
  void aResponderSubscriptionHasNoRetryOrRedeliveryAndSettlesByReplying() {
    Pipeline pipeline =
        pipeline(
            Handlers.builder().answer(GetQuote.class, (q, c) -> new Quote(q.sku(), 1)).build());

    assertThat(pipeline.links()).containsExactly("LOGGING", "DEAD_LETTER", "DECODE", "attempt");
  }

  @Test
  void theReplyCarriesItsOwnAttributesTheRequestsIdAndAnOkStatus() {
    Pipeline pipeline =
        pipeline(
            Handlers.builder().answer(GetQuote.class, (q, c) -> new Quote(q.sku(), 990)).build());
    Request request = request("r-1", "{\"sku\":\"s-1\"}", NOW.plusSeconds(5));

    pipeline.accept(request);

    assertThat(request.settlements).containsExactly("ack");
    assertThat(request.replies)
        .singleElement()
        .satisfies(
            reply -> {
              assertThat(reply.headers())
                  .containsEntry(CloudEventsAttributes.TYPE, "test.quoted.v1")
                  .containsEntry(CloudEventsAttributes.SOURCE, "/quotes")
                  .containsEntry(CloudEventsAttributes.CORRELATION_ID, "r-1")
                  .containsEntry(RequestHeaders.REPLY_STATUS, RequestHeaders.STATUS_OK);
              assertThat(reply.headers().get(CloudEventsAttributes.ID)).isNotEqualTo("r-1");
              assertThat(new String(reply.body(), StandardCharsets.UTF_8))
                  .isEqualTo("{\"sku\":\"s-1\",\"cents\":990}");
            });
  }

  @Test
  void aStageReplyIsAwaited() {
    Pipeline pipeline =
        pipeline(
            Handlers.builder()
                .answer(
                    GetQuote.class,
                    (q, c) -> CompletableFuture.supplyAsync(() -> new Quote(q.sku(), 5)))
                .build());
    Request request = request("r-1", "{\"sku\":\"s-1\"}", NOW.plusSeconds(5));

    pipeline.accept(request);

    assertThat(request.replies)
        .singleElement()
        .satisfies(r -> assertThat(RequestHeaders.isError(r.headers())).isFalse());
  }

  @Test
  void aThrowingResponderIsAnsweredWithItsTypeAndMessageNeverItsStackTrace() {
    Pipeline pipeline =
        pipeline(
            Handlers.builder()
                .answer(
                    GetQuote.class,
                    (q, c) -> {
                      throw new IllegalArgumentException("unknown sku " + q.sku());
                    })
                .build());
    Request request = request("r-1", "{\"sku\":\"s-404\"}", NOW.plusSeconds(5));

    pipeline.accept(request);

    assertThat(request.settlements).containsExactly("ack");
    assertThat(request.replies)
        .singleElement()
        .satisfies(
            reply -> {
              assertThat(reply.headers())
                  .containsEntry(RequestHeaders.REPLY_STATUS, RequestHeaders.STATUS_ERROR)
                  .containsEntry(RequestHeaders.ERROR_CATEGORY, "handler-failed")
                  .containsEntry(
                      RequestHeaders.ERROR_TYPE, IllegalArgumentException.class.getName())
                  .containsEntry(RequestHeaders.ERROR_MESSAGE, "unknown sku s-404")
                  .containsEntry(CloudEventsAttributes.CORRELATION_ID, "r-1")
                  .doesNotContainKey(DeadLetterReason.HEADER_STACK_TRACE);
              assertThat(reply.body()).isEmpty();
            });
  }

  @Test
  void anUndecodableRequestAndAReplyWithoutATypeNameAreAnsweredWithTheirCategory() {
    Pipeline quoting =
        pipeline(
            Handlers.builder().answer(GetQuote.class, (q, c) -> new Quote(q.sku(), 1)).build());
    Pipeline untyped =
        pipeline(
            Handlers.builder()
                .answer(GetQuote.class, (q, c) -> new NotAnEventType(q.sku()))
                .build());
    Request malformed = request("r-1", "{\"sku\":", NOW.plusSeconds(5));
    Request ok = request("r-2", "{\"sku\":\"s\"}", NOW.plusSeconds(5));

    quoting.accept(malformed);
    untyped.accept(ok);

    assertThat(malformed.replies.get(0).headers())
        .containsEntry(RequestHeaders.ERROR_CATEGORY, "decoding-failed");
    assertThat(ok.replies.get(0).headers())
        .containsEntry(RequestHeaders.ERROR_CATEGORY, "reply-not-encodable");
    assertThat(ok.replies.get(0).headers().get(RequestHeaders.ERROR_MESSAGE))
        .contains(NotAnEventType.class.getName());
  }

  @Test
  void aRequestPastItsDeadlineIsAcknowledgedUnansweredAndItsResponderNeverCalled() {
    AtomicInteger calls = new AtomicInteger();
    Pipeline pipeline =
        pipeline(
            Handlers.builder()
                .answer(
                    GetQuote.class,
                    (q, c) -> {
                      calls.incrementAndGet();
                      return new Quote(q.sku(), 1);
                    })
                .build());
    Request expired = request("r-1", "{\"sku\":\"s\"}", NOW);
    Request malformedDeadline = request("r-2", "{\"sku\":\"s\"}", NOW);
    Map<String, String> headers = new LinkedHashMap<>(malformedDeadline.message.headers());
    headers.put(RequestHeaders.DEADLINE, "tomorrow");
    Request badDeadline =
        new Request(new WireMessage(malformedDeadline.message.body(), "application/json", headers));

    pipeline.accept(expired);
    pipeline.accept(badDeadline);

    assertThat(calls).hasValue(0);
    assertThat(expired.settlements).containsExactly("ack");
    assertThat(expired.replies).isEmpty();
    assertThat(badDeadline.replies.get(0).headers())
        .containsEntry(RequestHeaders.ERROR_CATEGORY, "decoding-failed");
  }
}
