package io.eventbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.middleware.Middlewares;
import io.eventbus.middleware.Stage;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one configuration style of eventbus-api: every mistake is an {@link
 * EventBusConfigurationException} naming the setting, found once at {@code build()} (or when a
 * record is made), and {@code toBuilder()} round-trips.
 */
class ConfigurationStyleTest {
  static Stream<Arguments> mistakes() {
    return Stream.of(
        mistake("name", () -> SubscriptionOptions.named("no spaces")),
        mistake("concurrency", () -> SubscriptionOptions.builder("s").concurrency(0).build()),
        mistake("prefetch", () -> SubscriptionOptions.builder("s").prefetch(70_000).build()),
        mistake(
            "redeliveryDelays",
            () -> SubscriptionOptions.builder("s").redeliveryDelays(Duration.ZERO).build()),
        mistake(
            "redeliveryDelays",
            () ->
                SubscriptionOptions.builder("s")
                    .redeliveryDelays(
                        Stream.generate(() -> Duration.ofSeconds(1))
                            .limit(11)
                            .toArray(Duration[]::new))
                    .build()),
        mistake(
            "handlerTimeout",
            () -> SubscriptionOptions.builder("s").handlerTimeout(Duration.ofSeconds(-1)).build()),
        mistake(
            "stallTimeout",
            () -> SubscriptionOptions.builder("s").stallTimeout(Duration.ZERO).build()),
        mistake(
            "concurrency",
            () ->
                SubscriptionOptions.builder("s")
                    .ordering(SubscriptionOptions.Ordering.ORDERED)
                    .concurrency(2)
                    .build()),
        mistake(
            "concurrencyLimit",
            () -> SubscriptionOptions.builder("s").concurrencyLimit(-1).build()),
        mistake(
            "concurrencyLimit",
            () -> SubscriptionOptions.builder("s").concurrencyLimit(String.class, 0).build()),
        mistake(
            "rateLimit",
            () -> SubscriptionOptions.builder("s").rateLimit(0, Duration.ofSeconds(1)).build()),
        mistake(
            "rateLimit",
            () -> SubscriptionOptions.builder("s").rateLimit(10, Duration.ZERO).build()),
        mistake(
            "failureRateThreshold",
            () -> CircuitBreakerPolicy.builder().failureRateThreshold(0).build()),
        mistake("slidingWindow", () -> CircuitBreakerPolicy.builder().slidingWindow(0).build()),
        mistake(
            "slidingWindow",
            () -> CircuitBreakerPolicy.builder().slidingWindow(Duration.ofMillis(1500)).build()),
        mistake("minimumCalls", () -> CircuitBreakerPolicy.builder().minimumCalls(0).build()),
        mistake(
            "openDuration",
            () -> CircuitBreakerPolicy.builder().openDuration(Duration.ofDays(2)).build()),
        mistake("probes", () -> CircuitBreakerPolicy.builder().probes(0).build()),
        mistake("maxAttempts", () -> RetryPolicy.builder().maxAttempts(101).build()),
        mistake("jitter", () -> RetryPolicy.builder().jitter(-0.1).build()),
        mistake("maxBodyBytes", () -> JacksonEventCodec.builder().maxBodyBytes(0).build()),
        mistake("maxNestingDepth", () -> JacksonEventCodec.builder().maxNestingDepth(-1).build()),
        mistake("maxStringLength", () -> JacksonEventCodec.builder().maxStringLength(0).build()),
        mistake("timeout", () -> Middlewares.timeout(Duration.ZERO)),
        mistake("id", () -> PublishOptions.none().withId("")),
        mistake("correlationId", () -> PublishOptions.none().withCorrelationId("x".repeat(256))),
        mistake("extensions", () -> PublishOptions.none().withExtension("Not-Valid", "v")),
        mistake("extensions", () -> new PublishOptions(null, null, null, Map.of("id", "v"))),
        mistake("transport", () -> EventBus.builder().build()));
  }

  private static Arguments mistake(String setting, Supplier<?> configuration) {
    return Arguments.argumentSet(setting, setting, configuration);
  }

  @ParameterizedTest
  @MethodSource("mistakes")
  void everyMistakeIsAConfigurationExceptionNamingTheSetting(
      String setting, Supplier<?> configuration) {
    assertThatThrownBy(configuration::get)
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining(setting)
        .extracting("setting")
        .isEqualTo(setting);
  }

  @Test
  void settersOnlyCollectSoThatAnInvalidValueMayBeCorrectedBeforeBuild() {
    SubscriptionOptions options =
        SubscriptionOptions.builder("s").concurrency(0).concurrency(4).build();

    assertThat(options.concurrency()).isEqualTo(4);
  }

  @Test
  void toBuilderRoundTripsEveryOptionSet() {
    SubscriptionOptions options =
        SubscriptionOptions.builder("orders")
            .concurrency(3)
            .prefetch(7)
            .retryPolicy(RetryPolicy.none())
            .redeliveryDelays(Duration.ofSeconds(2))
            .handlerTimeout(Duration.ofSeconds(9))
            .stallTimeout(Duration.ofMinutes(2))
            .circuitBreaker(CircuitBreakerPolicy.builder().probes(1).build())
            .concurrencyLimit(2)
            .concurrencyLimit(String.class, 1)
            .rateLimit(5, Duration.ofSeconds(1))
            .addBefore(Stage.RETRY, (delivery, chain) -> chain.proceed(delivery))
            .build();
    SubscriptionOptions copy = options.toBuilder().build();

    assertThat(copy).usingRecursiveComparison().ignoringFields("middleware").isEqualTo(options);
    assertThat(copy.middleware(Stage.RETRY)).isEqualTo(options.middleware(Stage.RETRY));

    CircuitBreakerPolicy breaker =
        CircuitBreakerPolicy.builder()
            .failureRateThreshold(25)
            .slidingWindow(Duration.ofSeconds(30))
            .minimumCalls(5)
            .openDuration(Duration.ofSeconds(7))
            .probes(4)
            .record(IllegalStateException.class)
            .ignore(IllegalArgumentException.class)
            .build();
    assertThat(breaker.toBuilder().build()).usingRecursiveComparison().isEqualTo(breaker);
    RetryPolicy retry =
        RetryPolicy.builder().dependencyUnavailable(IllegalStateException.class).build();
    assertThat(retry.toBuilder().build()).usingRecursiveComparison().isEqualTo(retry);

    JacksonEventCodec codec = JacksonEventCodec.builder().maxBodyBytes(99).build();
    assertThat(codec.toBuilder().build()).hasToString(codec.toString());
  }

  @Test
  void theBusSourceIsCheckedWhenTheBusIsBuiltAndTheTransportIsClosedThen() {
    ClosingTransport transport = new ClosingTransport();

    assertThatThrownBy(() -> EventBus.builder().transport(transport).source("").build())
        .isInstanceOf(EventBusConfigurationException.class)
        .extracting("setting")
        .isEqualTo("source");
    assertThat(transport.closed).isTrue();
  }

  /** A transport that only notes it was closed: the bus never gets to use it. */
  static final class ClosingTransport implements io.eventbus.spi.Transport {
    boolean closed;

    @Override
    public java.util.concurrent.CompletionStage<Void> send(
        io.eventbus.spi.OutboundMessage message) {
      throw new UnsupportedOperationException();
    }

    @Override
    public io.eventbus.spi.TransportSubscription subscribe(
        io.eventbus.spi.SubscriptionSpec spec,
        java.util.function.Consumer<io.eventbus.spi.InboundMessage> receiver) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
