package io.eventbus.internal;

import io.eventbus.spi.OutboundMessage;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One request in progress: its type, the message sent, the reply it waits for, its deadline (on
 * {@link System#nanoTime}), its attempts so far and its result. Attempts run one after another (the
 * next is scheduled only when the last has completed), so {@code attempts} needs no lock.
 */
final class RequestCall<R> {
  final RequestType type;
  final String id;
  final OutboundMessage message;
  final Class<R> replyClass;
  final String replyType;
  final Duration timeout;
  final long startNanos = System.nanoTime();
  final long deadlineNanos;
  final @Nullable Span span;
  final CompletableFuture<R> result = new CompletableFuture<>();
  int attempts;

  RequestCall(
      RequestType type,
      String id,
      OutboundMessage message,
      Class<R> replyClass,
      String replyType,
      Duration timeout,
      @Nullable Span span) {
    this.type = type;
    this.id = id;
    this.message = message;
    this.replyClass = replyClass;
    this.replyType = replyType;
    this.timeout = timeout;
    this.deadlineNanos = startNanos + timeout.toNanos();
    this.span = span;
  }

  /** The request's type name. */
  String typeName() {
    return message.eventType();
  }
}
