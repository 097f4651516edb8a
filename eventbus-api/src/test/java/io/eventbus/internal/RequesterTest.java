package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventType;
import io.eventbus.EventTypeRegistry;
import io.eventbus.RequestException;
import io.eventbus.RequestException.Reason;
import io.eventbus.RequestOptions;
import io.eventbus.RequestPolicy;
import io.eventbus.RetryPolicy;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.RequestHeaders;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportSubscription;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The requesting half's own logic against a scripted transport (a fake of the SPI, not of a
 * server): retries, circuit breaker, fallback, concurrency limit, reply decoding.
 */
class RequesterTest {
  @EventType("test.check.v1")
  record Check(String id) {}

  @EventType("test.checked.v1")
  record Checked(String id, boolean ok) {}

  record Unnamed(String id) {}

  /** Answers each request with the next scripted answer, recording what it was sent. */
  static final class Scripted implements Transport {
    final Deque<Function<OutboundMessage, CompletionStage<WireMessage>>> answers =
        new ArrayDeque<>();
    final List<OutboundMessage> sent = new ArrayList<>();
    final List<Duration> timeouts = new ArrayList<>();

    Scripted then(Function<OutboundMessage, CompletionStage<WireMessage>> answer) {
      answers.add(answer);
      return this;
    }

    @Override
    public synchronized CompletionStage<WireMessage> request(
        OutboundMessage request, Duration timeout) {
      sent.add(request);
      timeouts.add(timeout);
      var answer = answers.size() > 1 ? answers.poll() : answers.peek();
      return answer == null ? new CompletableFuture<>() : answer.apply(request);
    }

    @Override
    public CompletionStage<Void> send(OutboundMessage message) {
      throw new UnsupportedOperationException();
    }

    @Override
    public TransportSubscription subscribe(
        SubscriptionSpec spec, java.util.function.Consumer<InboundMessage> receiver) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  static CompletionStage<WireMessage> reply(OutboundMessage request) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("cloudEvents:specversion", "1.0");
    headers.put("cloudEvents:id", "reply-" + request.eventId());
    headers.put("cloudEvents:source", "/customers");
    headers.put("cloudEvents:type", "test.checked.v1");
    headers.put("cloudEvents:correlationid", request.eventId());
    return CompletableFuture.completedFuture(
        new WireMessage(
            "{\"id\":\"c-1\",\"ok\":true}".getBytes(StandardCharsets.UTF_8),
            "application/json",
            headers));
  }

  static CompletionStage<WireMessage> fail(OutboundMessage request, Reason reason) {
    return CompletableFuture.failedFuture(
        RequestException.of(request.eventId(), request.eventType(), reason, "scripted", null));
  }

  private static Requester requester(Scripted transport, Map<Class<?>, RequestPolicy> policies) {
    return new Requester(
        transport,
        "/orders",
        Clock.systemUTC(),
        JacksonEventCodec.create(),
        EventTypeRegistry::empty,
        policies,
        RequestTelemetry.disabled());
  }

  private static <R> R await(CompletionStage<R> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static RetryPolicy quick(int attempts) {
    return RetryPolicy.builder()
        .maxAttempts(attempts)
        .backoff(Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
        .jitter(0)
        .build();
  }

  @Test
  void aRequestCarriesItsAttributesAndDeadlineAndItsReplyIsDecodedAsAsked() throws Exception {
    Scripted transport = new Scripted().then(RequesterTest::reply);

    Checked checked =
        await(
            requester(transport, Map.of())
                .request(
                    new Check("c-1"),
                    Checked.class,
                    RequestOptions.timeout(Duration.ofMillis(750)).withCorrelationId("conv-1")));

    assertThat(checked).isEqualTo(new Checked("c-1", true));
    Map<String, String> headers = transport.sent.get(0).message().headers();
    assertThat(headers)
        .containsEntry("cloudEvents:type", "test.check.v1")
        .containsEntry("cloudEvents:source", "/orders")
        .containsEntry("cloudEvents:correlationid", "conv-1")
        .containsKey(RequestHeaders.DEADLINE);
    assertThat(transport.timeouts.get(0)).isLessThanOrEqualTo(Duration.ofMillis(750));
  }

  @Test
  void anErrorReplyFailsWithTheRemoteTypeAndAWrongReplyAsNotDecodable() {
    Scripted transport =
        new Scripted()
            .then(
                request -> {
                  Map<String, String> headers = new LinkedHashMap<>();
                  headers.put(RequestHeaders.REPLY_STATUS, RequestHeaders.STATUS_ERROR);
                  headers.put(RequestHeaders.ERROR_TYPE, "com.acme.CustomerBlocked");
                  headers.put(RequestHeaders.ERROR_MESSAGE, "blocked");
                  return CompletableFuture.completedFuture(
                      new WireMessage(new byte[0], null, headers));
                })
            .then(
                request ->
                    reply(request)
                        .thenApply(
                            wire -> {
                              Map<String, String> headers = new LinkedHashMap<>(wire.headers());
                              headers.put("cloudEvents:type", "test.other.v1");
                              return new WireMessage(wire.body(), wire.contentType(), headers);
                            }));
    Requester requester = requester(transport, Map.of());

    assertThatThrownBy(
            () ->
                await(
                    requester.request(new Check("c-1"), Checked.class, RequestOptions.defaults())))
        .cause()
        .isInstanceOfSatisfying(
            RequestException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.RESPONDER_FAILED);
              assertThat(e.remoteType()).isEqualTo("com.acme.CustomerBlocked");
              assertThat(e.remoteMessage()).isEqualTo("blocked");
            });
    assertThatThrownBy(
            () ->
                await(
                    requester.request(new Check("c-1"), Checked.class, RequestOptions.defaults())))
        .cause()
        .isInstanceOfSatisfying(
            RequestException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.REPLY_NOT_DECODABLE));
  }

  @Test
  void anIdempotentRequestIsRetriedWithTheSameIdOnlyForRetryableReasons() throws Exception {
    Scripted transport =
        new Scripted()
            .then(r -> fail(r, Reason.NO_RESPONDER))
            .then(r -> fail(r, Reason.CONNECTION_LOST))
            .then(RequesterTest::reply);
    RequestPolicy policy = RequestPolicy.builder().idempotent(true).retry(quick(3)).build();

    Checked checked =
        await(
            requester(transport, Map.of(Check.class, policy))
                .request(new Check("c-1"), Checked.class, RequestOptions.defaults()));

    assertThat(checked.ok()).isTrue();
    assertThat(transport.sent)
        .hasSize(3)
        .extracting(OutboundMessage::eventId)
        .containsOnly(transport.sent.get(0).eventId());

    Scripted failing = new Scripted().then(r -> fail(r, Reason.RESPONDER_FAILED));
    assertThatThrownBy(
            () ->
                await(
                    requester(failing, Map.of(Check.class, policy))
                        .request(new Check("c-1"), Checked.class, RequestOptions.defaults())))
        .cause()
        .isInstanceOf(RequestException.class);
    assertThat(failing.sent).as("a responder's answer is not retried").hasSize(1);
  }

  @Test
  void retriesNeedTheTypeMarkedIdempotent() {
    assertThatThrownBy(() -> RequestPolicy.builder().retry(quick(3)).build())
        .isInstanceOfSatisfying(
            EventBusConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("retry"));
  }

  @Test
  void anAttemptTimeoutShorterThanTheDeadlineIsRetriedWithinTheDeadline() throws Exception {
    Scripted transport =
        new Scripted().then(r -> fail(r, Reason.DEADLINE_EXCEEDED)).then(RequesterTest::reply);
    RequestPolicy policy =
        RequestPolicy.builder()
            .idempotent(true)
            .retry(quick(2))
            .attemptTimeout(Duration.ofMillis(100))
            .build();

    await(
        requester(transport, Map.of(Check.class, policy))
            .request(
                new Check("c-1"), Checked.class, RequestOptions.timeout(Duration.ofSeconds(5))));

    assertThat(transport.timeouts)
        .hasSize(2)
        .allSatisfy(t -> assertThat(t).isEqualTo(Duration.ofMillis(100)));
  }

  @Test
  void anOpenCircuitRefusesWithoutSendingAndTheFallbackAnswers() throws Exception {
    Scripted transport = new Scripted().then(r -> fail(r, Reason.NO_RESPONDER));
    RequestPolicy policy =
        RequestPolicy.builder()
            .circuitBreaker(
                RequestPolicy.CircuitBreakerSettings.defaults()
                    .withWindow(4, 4)
                    .withOpenDuration(Duration.ofMinutes(1)))
            .fallback(Checked.class, failure -> new Checked("fallback:" + failure.reason(), false))
            .build();
    Requester requester = requester(transport, Map.of(Check.class, policy));

    List<Checked> answers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      answers.add(
          await(requester.request(new Check("c-" + i), Checked.class, RequestOptions.defaults())));
    }

    assertThat(transport.sent).hasSize(4);
    assertThat(answers)
        .extracting(Checked::id)
        .containsExactly(
            "fallback:NO_RESPONDER",
            "fallback:NO_RESPONDER",
            "fallback:NO_RESPONDER",
            "fallback:NO_RESPONDER",
            "fallback:CIRCUIT_OPEN",
            "fallback:CIRCUIT_OPEN");
    assertThat(requester.health())
        .singleElement()
        .satisfies(c -> assertThat(c.detail()).contains("circuit open"));
  }

  @Test
  void theConcurrencyLimitRefusesAtOnceAndFreesItsPermitWhenARequestEnds() throws Exception {
    CompletableFuture<WireMessage> held = new CompletableFuture<>();
    Scripted transport = new Scripted().then(r -> held).then(RequesterTest::reply);
    Requester requester =
        requester(transport, Map.of(Check.class, RequestPolicy.builder().maxConcurrent(1).build()));

    CompletionStage<Checked> first =
        requester.request(new Check("c-1"), Checked.class, RequestOptions.defaults());
    assertThatThrownBy(
            () ->
                await(
                    requester.request(new Check("c-2"), Checked.class, RequestOptions.defaults())))
        .cause()
        .isInstanceOfSatisfying(
            RequestException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CONCURRENCY_LIMIT));
    reply(transport.sent.get(0)).thenAccept(held::complete);
    await(first);

    assertThat(
            await(requester.request(new Check("c-3"), Checked.class, RequestOptions.defaults()))
                .ok())
        .isTrue();
  }

  @Test
  void classesWithoutATypeNameFailAtOnceAndAFallbackOfTheWrongClassIsNotUsed() {
    Scripted transport = new Scripted().then(r -> fail(r, Reason.NO_RESPONDER));
    Requester requester =
        requester(
            transport,
            Map.of(Check.class, RequestPolicy.builder().fallbackValue("not a reply").build()));

    assertThatThrownBy(
            () ->
                await(
                    requester.request(new Unnamed("x"), Checked.class, RequestOptions.defaults())))
        .cause()
        .isInstanceOf(UnknownEventTypeException.class);
    assertThatThrownBy(
            () ->
                await(requester.request(new Check("x"), Unnamed.class, RequestOptions.defaults())))
        .cause()
        .isInstanceOf(UnknownEventTypeException.class);
    assertThatThrownBy(
            () ->
                await(requester.request(new Check("x"), Checked.class, RequestOptions.defaults())))
        .cause()
        .isInstanceOfSatisfying(
            RequestException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.NO_RESPONDER);
              assertThat(e.getSuppressed())
                  .singleElement()
                  .satisfies(s -> assertThat(s).hasMessageContaining("not a"));
            });
  }
}
