package io.eventbus.internal;

import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.WireMessage;
import io.eventbus.internal.ConsumerTelemetry.Outcome;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware.Chain;
import io.eventbus.spi.RequestHeaders;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles a request (a responder subscription's {@code DEAD_LETTER} stage, and its pipeline's
 * outermost guard): drop (acknowledge, count) a request whose deadline has passed without running
 * the rest; otherwise run the rest and answer with its reply, or with a failure reply (error
 * category, type and message) when it throws; acknowledge in every case. A request is never
 * dead-lettered or redelivered: its requester is waiting, and a failure reply is the fastest way to
 * tell it. A {@link VirtualMachineError} (other than a stack overflow) requeues and is rethrown.
 */
final class ReplyLink implements Link {
  private static final Logger log = LoggerFactory.getLogger(ReplyLink.class);

  private final String subscription;
  private final ReplyWriter writer;
  private final Clock clock;
  private final RequestTelemetry telemetry;

  ReplyLink(String subscription, ReplyWriter writer, Clock clock, RequestTelemetry telemetry) {
    this.subscription = subscription;
    this.writer = writer;
    this.clock = clock;
    this.telemetry = telemetry;
  }

  @Override
  public void handle(DeliveryContext delivery, Chain next, DeliveryState state) {
    settle(state, () -> next.proceed(delivery));
  }

  /** Runs {@code body} unless the request expired, and answers it, as the class comment says. */
  void settle(DeliveryState state, DeadLetterLink.Body body) {
    Map<String, String> headers = state.inbound().message().headers();
    @Nullable String id = CloudEventsAttributes.attribute(headers, "id");
    Instant deadline;
    try {
      deadline = RequestHeaders.deadline(headers);
    } catch (DateTimeException e) {
      answer(
          state,
          id,
          new io.eventbus.EventDecodingException(
              id,
              CloudEventsAttributes.attribute(headers, "type"),
              "Invalid " + RequestHeaders.DEADLINE + " header: not an RFC 3339 time",
              e));
      return;
    }
    state.deadline(deadline);
    if (expired(deadline)) {
      drop(state, id);
      return;
    }
    try {
      body.run();
    } catch (Throwable failure) {
      if (failure instanceof VirtualMachineError error
          && !(failure instanceof StackOverflowError)) {
        state.requeue();
        throw error;
      }
      if (failure instanceof RequestExpired) {
        drop(state, id);
        return;
      }
      answer(state, id, failure);
      if (failure instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    if (state.settled()) {
      return; // the reply link inside this guard answered already
    }
    Object reply = state.reply();
    if (reply == null) {
      // A user link returned without proceeding: there is nothing to answer with.
      answer(
          state, id, new IllegalStateException("the request's pipeline returned without a reply"));
      return;
    }
    WireMessage message;
    try {
      message = writer.ok(id, reply);
    } catch (ReplyWriter.NotEncodable e) {
      answer(state, id, e);
      return;
    }
    send(state, message, Outcome.REPLY, null);
  }

  boolean expired(@Nullable Instant deadline) {
    return deadline != null && !clock.instant().isBefore(deadline);
  }

  private void drop(DeliveryState state, @Nullable String id) {
    log.debug("Request {} of subscription {} dropped: its deadline had passed", id, subscription);
    telemetry.expired(
        subscription, CloudEventsAttributes.attribute(state.inbound().message().headers(), "type"));
    state.answered(Outcome.EXPIRED, null);
  }

  private void answer(DeliveryState state, @Nullable String id, Throwable failure) {
    Throwable cause = ReplyWriter.unwrap(failure);
    log.debug(
        "Request {} of subscription {} answered with a failure: {}",
        id,
        subscription,
        cause.getClass().getName());
    send(state, writer.error(id, cause), Outcome.ERROR_REPLY, cause);
  }

  private void send(
      DeliveryState state, WireMessage reply, Outcome outcome, @Nullable Throwable failure) {
    if (state.settled()) {
      return;
    }
    Map<String, String> headers = new java.util.LinkedHashMap<>(reply.headers());
    telemetry.injectInto(headers);
    try {
      state.inbound().reply(new WireMessage(reply.body(), reply.contentType(), headers));
    } catch (RuntimeException e) {
      log.warn(
          "The reply to a request of subscription {} could not be sent: {}",
          subscription,
          io.eventbus.spi.SafeText.message(e));
    }
    state.answered(outcome, failure);
  }
}
