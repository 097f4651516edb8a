package io.eventbus.internal;

import io.eventbus.RetryPolicy;
import io.eventbus.internal.ConsumerTelemetry.Outcome;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware.Chain;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.SafeText;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-publishes a delivery whose in-process attempts are exhausted for another try after the next of
 * the subscription's redelivery delays (the {@code DELAYED_REDELIVERY} stage), carrying its failure
 * history; requeues it if that fails. Permanent failures, and those after the last delay, pass on
 * to the dead-letter link.
 */
final class RedeliveryLink implements Link {
  private static final Logger log = LoggerFactory.getLogger(RedeliveryLink.class);

  private final String subscription;
  private final List<Duration> delays;
  private final RetrySelection retries;
  private final Clock clock;
  private final @Nullable ConsumerTelemetry telemetry;

  RedeliveryLink(
      String subscription,
      List<Duration> delays,
      RetrySelection retries,
      Clock clock,
      @Nullable ConsumerTelemetry telemetry) {
    this.subscription = subscription;
    this.delays = List.copyOf(delays);
    this.retries = retries;
    this.clock = clock;
    this.telemetry = telemetry;
  }

  @Override
  public void handle(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception {
    try {
      next.proceed(delivery);
    } catch (Exception failure) {
      RetryPolicy policy = retries.policyFor(delivery.metadata().type());
      int redeliveries = state.history().redeliveries();
      if (!policy.isRetryable(failure) || redeliveries >= delays.size()) {
        throw failure;
      }
      redeliver(delivery, state, failure, delays.get(redeliveries));
    }
  }

  private void redeliver(
      DeliveryContext delivery, DeliveryState state, Exception failure, Duration delay) {
    int redeliveries = state.history().redeliveries();
    Instant now = clock.instant();
    Map<String, String> history =
        DeadLetterReason.historyHeaders(
            failure,
            state.attempts(),
            redeliveries + 1,
            state.firstFailure(now),
            state.lastFailure(now));
    if (!state.claim(Outcome.REDELIVER, failure)) {
      return;
    }
    Span step =
        telemetry == null
            ? null
            : telemetry.startSettle(
                state.names(telemetry),
                MessagingAttributes.NAME_REDELIVER,
                failure,
                state.attempts());
    try (Scope ignored = step == null ? null : step.makeCurrent()) {
      if (step != null) {
        step.setAttribute(MessagingAttributes.REDELIVERY_DELAY_MS, delay.toMillis());
      }
      state.inbound().redeliverAfter(delay, history);
    } catch (RuntimeException redeliveryFailed) {
      if (step != null) {
        step.recordException(redeliveryFailed);
      }
      log.error(
          "Event {} of subscription {} could not be scheduled for redelivery; returning it to"
              + " the queue: {}",
          SafeText.of(delivery.metadata().id()),
          subscription,
          SafeText.message(redeliveryFailed));
      state.requeueInstead();
      return;
    } finally {
      if (step != null) {
        step.end();
      }
    }
    log.info(
        "Event {} ({}) of subscription {} failed {} attempt(s) ({}); redelivery {} of {} in {}",
        SafeText.of(delivery.metadata().id()),
        SafeText.of(delivery.metadata().type()),
        subscription,
        state.attempts(),
        failure.getClass().getName(),
        redeliveries + 1,
        delays.size(),
        delay);
  }
}
