package io.eventbus.internal;

import io.eventbus.Handlers.Responder;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.middleware.DeliveryContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls the responder registered for the decoded request's type, the end of a responder's chain,
 * and keeps its reply in the delivery's state for the reply link. Checks the deadline first; a
 * {@link CompletionStage} reply is awaited on this thread until the deadline at most.
 */
final class ResponderInvoker {
  private final String subscription;
  private final Map<String, Responder<?>> respondersByType;
  private final Clock clock;

  ResponderInvoker(String subscription, Map<String, Responder<?>> respondersByType, Clock clock) {
    this.subscription = subscription;
    this.respondersByType = respondersByType;
    this.clock = clock;
  }

  @SuppressWarnings("unchecked")
  void answer(DeliveryContext delivery, DeliveryState state) throws Exception {
    Responder<Object> responder =
        (Responder<Object>) respondersByType.get(delivery.metadata().type());
    if (responder == null) {
      throw UnknownEventTypeException.noHandler(
          delivery.metadata().id(), delivery.metadata().type(), subscription);
    }
    Instant deadline = state.deadline();
    if (deadline != null && !clock.instant().isBefore(deadline)) {
      throw new RequestExpired();
    }
    Object reply = responder.function().answer(delivery.event(), delivery);
    if (reply instanceof CompletionStage<?> stage) {
      reply = await(stage, deadline);
    }
    if (reply == null) {
      throw new IllegalStateException(
          responder.description() + " returned null instead of a reply");
    }
    state.reply(reply);
  }

  private Object await(CompletionStage<?> stage, Instant deadline) throws Exception {
    try {
      if (deadline == null) {
        return stage.toCompletableFuture().get();
      }
      long nanos = Duration.between(clock.instant(), deadline).toNanos();
      return stage.toCompletableFuture().get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new RequestExpired();
    } catch (ExecutionException e) {
      Throwable cause = ReplyWriter.unwrap(e);
      if (cause instanceof Exception exception) {
        throw exception;
      }
      throw e;
    }
  }
}
