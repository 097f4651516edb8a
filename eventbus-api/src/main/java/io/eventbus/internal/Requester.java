package io.eventbus.internal;

import io.eventbus.EventMetadata;
import io.eventbus.EventTypeRegistry;
import io.eventbus.Health;
import io.eventbus.RequestException;
import io.eventbus.RequestException.Reason;
import io.eventbus.RequestOptions;
import io.eventbus.RequestPolicy;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.EventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.RequestHeaders;
import io.eventbus.spi.Transport;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opentelemetry.api.trace.Span;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requesting half of request-reply: encodes a request, sends it through the transport under its
 * type's {@link RequestPolicy} (fallback → concurrency limit → retry → circuit breaker → attempt),
 * and completes the caller's future with the reply. Per type it keeps a {@link RequestType}; each
 * request is a {@link RequestCall}; {@link Replies} decodes replies (into the class the caller
 * asked for, never into a class the wire names) and {@link RequestFallback} applies fallbacks.
 *
 * <p>Thread-safe. Completions run on the transport's threads; back-offs wait on one scheduler
 * thread ({@code eventbus-requests-1}), started with the first retry.
 */
final class Requester implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Requester.class);

  private final Transport transport;
  private final String source;
  private final Clock clock;
  private final EventCodec codec;
  private final Supplier<EventTypeRegistry> registry;
  private final Map<Class<?>, RequestPolicy> policies;
  private final RequestTelemetry telemetry;
  private final Map<String, RequestType> types = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final @Nullable AutoCloseable gauges;
  private volatile @Nullable ScheduledExecutorService scheduler;

  Requester(
      Transport transport,
      String source,
      Clock clock,
      EventCodec codec,
      Supplier<EventTypeRegistry> registry,
      Map<Class<?>, RequestPolicy> policies,
      RequestTelemetry telemetry) {
    this.transport = transport;
    this.source = source;
    this.clock = clock;
    this.codec = codec;
    this.registry = registry;
    this.policies = Map.copyOf(policies);
    this.telemetry = telemetry;
    this.gauges = telemetry.gauges(() -> List.copyOf(types.values()));
  }

  <R> CompletionStage<R> request(Object request, Class<R> replyClass, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(replyClass, "replyClass");
    Objects.requireNonNull(options, "options");
    Optional<String> typeName = nameOf(request.getClass());
    if (typeName.isEmpty()) {
      return CompletableFuture.failedFuture(
          UnknownEventTypeException.unregisteredClass(request.getClass()));
    }
    Optional<String> replyType = nameOf(replyClass);
    if (replyType.isEmpty()) {
      return CompletableFuture.failedFuture(
          UnknownEventTypeException.unregisteredClass(replyClass));
    }
    String type = typeName.get();
    RequestType perType =
        types.computeIfAbsent(
            type,
            name ->
                new RequestType(
                    name, policies.getOrDefault(request.getClass(), RequestPolicy.defaults())));
    String id = DefaultEventBus.randomId();
    if (closed.get()) {
      return fail(
          perType,
          replyClass,
          RequestException.of(id, type, Reason.CLOSED, "the bus is closed", null));
    }
    Duration timeout = options.timeout() != null ? options.timeout() : perType.policy.timeout();
    byte[] body;
    try {
      body = codec.encode(request);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(
          RequestException.of(
              id, type, Reason.INVALID_REQUEST, "could not be encoded: " + e.getMessage(), e));
    }
    Instant now = clock.instant();
    Map<String, String> headers =
        CloudEventsAttributes.toHeaders(
            new EventMetadata(id, type, source, now, options.correlationId(), null, Map.of()));
    headers.put(
        RequestHeaders.DEADLINE, now.plus(timeout).truncatedTo(ChronoUnit.MILLIS).toString());
    Span span = telemetry.startRequest(type, id, headers);
    OutboundMessage message =
        new OutboundMessage(id, type, new WireMessage(body, codec.contentType(), headers));
    RequestCall<R> call =
        new RequestCall<>(perType, id, message, replyClass, replyType.get(), timeout, span);
    Semaphore limit = perType.limit;
    if (limit != null && !limit.tryAcquire()) {
      telemetry.rejected(type, Reason.CONCURRENCY_LIMIT);
      finish(
          call,
          null,
          RequestException.of(
              id,
              type,
              Reason.CONCURRENCY_LIMIT,
              perType.policy.maxConcurrent() + " requests of this type are outstanding already",
              null),
          false);
      return call.result;
    }
    perType.inFlight.incrementAndGet();
    attempt(call);
    return call.result;
  }

  private Optional<String> nameOf(Class<?> type) {
    Optional<String> registered = registry.get().nameFor(type);
    if (registered.isPresent()) {
      return registered;
    }
    if (type.isAnnotationPresent(io.eventbus.EventType.class)) {
      return Optional.of(EventTypeRegistry.declaredName(type));
    }
    return Optional.empty();
  }

  private <R> CompletionStage<R> fail(
      RequestType type, Class<R> replyClass, RequestException failure) {
    CompletableFuture<R> result = new CompletableFuture<>();
    RequestFallback.complete(type.policy, replyClass, result, failure);
    return result;
  }

  private <R> void attempt(RequestCall<R> call) {
    if (closed.get() && call.attempts > 0) {
      finish(
          call,
          null,
          RequestException.of(call.id, call.typeName(), Reason.CLOSED, "the bus is closed", null),
          true);
      return;
    }
    call.attempts++;
    long remaining = call.deadlineNanos - System.nanoTime();
    if (remaining <= 0) {
      finish(
          call,
          null,
          RequestException.deadlineExceeded(call.id, call.typeName(), call.timeout),
          true);
      return;
    }
    CircuitBreaker breaker = call.type.breaker;
    if (breaker != null && !breaker.tryAcquirePermission()) {
      telemetry.rejected(call.typeName(), Reason.CIRCUIT_OPEN);
      finish(
          call,
          null,
          RequestException.of(
              call.id,
              call.typeName(),
              Reason.CIRCUIT_OPEN,
              "the circuit breaker is open after too many failures",
              null),
          true);
      return;
    }
    Duration attemptTimeout = call.type.policy.attemptTimeout();
    long attemptNanos =
        attemptTimeout == null ? remaining : Math.min(remaining, attemptTimeout.toNanos());
    boolean lastChance = attemptNanos >= remaining;
    long started = System.nanoTime();
    CompletionStage<WireMessage> reply;
    try {
      reply = transport.request(call.message, Duration.ofNanos(attemptNanos));
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenComplete(
        (wire, failure) -> {
          long took = System.nanoTime() - started;
          R value = null;
          RequestException problem;
          if (failure != null) {
            problem = Replies.failure(call.id, call.typeName(), failure);
          } else {
            problem = null;
            try {
              value =
                  Replies.decode(
                      wire, codec, call.id, call.typeName(), call.replyType, call.replyClass);
            } catch (RequestException e) {
              problem = e;
            }
          }
          if (breaker != null) {
            if (problem == null) {
              breaker.onSuccess(took, TimeUnit.NANOSECONDS);
            } else {
              breaker.onError(took, TimeUnit.NANOSECONDS, problem);
            }
          }
          if (problem == null) {
            finish(call, value, null, true);
          } else if (retryable(call, problem, lastChance)) {
            retry(call, problem);
          } else {
            finish(call, null, problem, true);
          }
        });
  }

  private boolean retryable(RequestCall<?> call, RequestException problem, boolean lastChance) {
    if (call.attempts >= call.type.policy.retry().maxAttempts() || !call.type.policy.idempotent()) {
      return false;
    }
    return switch (problem.reason()) {
      case NO_RESPONDER, CONNECTION_LOST -> true;
      case DEADLINE_EXCEEDED -> !lastChance;
      default -> false;
    };
  }

  private <R> void retry(RequestCall<R> call, RequestException problem) {
    Duration backoff =
        call.type.policy.retry().backoff(call.attempts, ThreadLocalRandom.current().nextDouble());
    long remaining = call.deadlineNanos - System.nanoTime();
    if (backoff.toNanos() >= remaining || closed.get()) {
      finish(call, null, problem, true);
      return;
    }
    telemetry.retried(call.typeName());
    log.debug(
        "Request {} ({}) attempt {} failed ({}); retrying in {} ms",
        call.id,
        call.typeName(),
        call.attempts,
        problem.reason(),
        backoff.toMillis());
    try {
      scheduler().schedule(() -> attempt(call), backoff.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      finish(call, null, problem, true);
    }
  }

  private ScheduledExecutorService scheduler() {
    ScheduledExecutorService current = scheduler;
    if (current == null) {
      synchronized (this) {
        current = scheduler;
        if (current == null) {
          current =
              Executors.newSingleThreadScheduledExecutor(
                  task -> {
                    Thread thread = new Thread(task, "eventbus-requests-1");
                    thread.setDaemon(true);
                    return thread;
                  });
          scheduler = current;
        }
      }
    }
    return current;
  }

  /** Completes a call once: releases its permit, ends its telemetry, applies the fallback. */
  private <R> void finish(
      RequestCall<R> call,
      @Nullable R value,
      @Nullable RequestException failure,
      boolean acquired) {
    if (acquired) {
      call.type.inFlight.decrementAndGet();
      Semaphore limit = call.type.limit;
      if (limit != null) {
        limit.release();
      }
    }
    boolean fellBack = failure != null && RequestFallback.applies(call.type.policy, failure);
    telemetry.endRequest(
        call.span, call.typeName(), call.startNanos, call.attempts, failure, fellBack);
    if (failure == null) {
      call.result.complete(value);
    } else {
      RequestFallback.complete(call.type.policy, call.replyClass, call.result, failure);
    }
  }

  /** The health of every request type with a circuit breaker or a concurrency limit. */
  List<Health.Component> health() {
    List<Health.Component> components = new ArrayList<>();
    for (RequestType type : types.values()) {
      if (type.watched()) {
        components.add(type.health());
      }
    }
    return components;
  }

  Collection<RequestType> types() {
    return types.values();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ScheduledExecutorService current = scheduler;
    if (current != null) {
      // Retries waiting for their back-off fail now (the bus is closed), instead of never.
      for (Runnable waiting : current.shutdownNow()) {
        waiting.run();
      }
    }
    if (gauges != null) {
      try {
        gauges.close();
      } catch (Exception e) {
        log.debug("Request gauges did not close cleanly", e);
      }
    }
  }
}
