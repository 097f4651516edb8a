package io.eventbus.spi;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.Health;
import io.eventbus.RequestException;
import io.eventbus.codec.WireMessage;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Moves {@link io.eventbus.codec.WireMessage}s between a bus and a broker (or memory). The bus does
 * encoding, decoding and the pipeline; a transport does routing, confirms, delivery and settlement.
 *
 * <h2>Thread safety</h2>
 *
 * Implementations are thread-safe: {@link #send} is called from any number of threads.
 *
 * <h2>Lifecycle</h2>
 *
 * The {@link io.eventbus.EventBus} given a transport owns it and calls {@link #close()} last, after
 * closing every subscription. Before anything else it calls {@link #instrument} once.
 *
 * <h2>Observability</h2>
 *
 * The bus traces and measures publishing and processing itself, naming them with {@link
 * #telemetryNames()}; a transport adds figures only it knows (connections, confirms, buffers)
 * through {@link #instrument}, and reports its parts' health through {@link #health()} and {@link
 * TransportSubscription#health()}. All three have defaults, so a transport without support for them
 * still works: it is named {@code eventbus}, reports no metrics, and its health is {@link
 * Health.Status#UNKNOWN}.
 */
public interface Transport extends AutoCloseable {
  /**
   * Sends a message to every subscription bound to its type. The stage completes normally once the
   * broker took responsibility for it (confirmed and routed to at least one queue), and otherwise
   * exceptionally with an {@link io.eventbus.PublishException}, always within a bounded time.
   */
  CompletionStage<Void> send(OutboundMessage message);

  /**
   * Declares what {@code spec} needs (queue, dead-letter queue, bindings) and starts delivering its
   * messages to {@code receiver}, on transport threads, up to {@code spec.concurrency()} at a time.
   * The receiver settles each message exactly once; if it throws instead, the transport requeues
   * the message.
   *
   * @throws io.eventbus.EventBusException if the subscription cannot be set up
   */
  TransportSubscription subscribe(SubscriptionSpec spec, Consumer<InboundMessage> receiver);

  /**
   * Sends a request to one responder bound to its type (see {@link #respond}) and completes with
   * the reply, exactly as the responder sent it, whatever its status (the bus reads a failure reply
   * from its {@link RequestHeaders}). The transport correlates the reply by the request's id, adds
   * nothing the bus must read, and completes within {@code timeout} in every case: exceptionally
   * with a {@link RequestException} of reason {@link RequestException.Reason#NO_RESPONDER} as soon
   * as it knows that no responder is bound, {@link RequestException.Reason#DEADLINE_EXCEEDED} at
   * the timeout, {@link RequestException.Reason#CONNECTION_LOST} when the way back for the reply is
   * lost after sending, {@link RequestException.Reason#CLOSED} once closed. A request not yet sent
   * may wait (for a connection) within its timeout; one already sent is never sent again by the
   * transport. The broker should drop the request once {@code timeout} has passed.
   *
   * <p>The default fails with {@link RequestException.Reason#CLOSED}: the transport does not
   * support request-reply.
   */
  default CompletionStage<WireMessage> request(OutboundMessage request, Duration timeout) {
    return CompletableFuture.failedFuture(
        RequestException.of(
            request.eventId(),
            request.eventType(),
            RequestException.Reason.CLOSED,
            getClass().getName() + " does not support request-reply",
            null));
  }

  /**
   * Declares what a responder subscription needs (a queue of requests of {@code spec}'s types,
   * shared by every responder with the same name) and starts delivering requests to {@code
   * receiver}, as {@link #subscribe} does events. Each delivered {@link InboundMessage} can {@link
   * InboundMessage#reply reply}; it is settled by acknowledging it, never dead-lettered or
   * redelivered later. Requests are worthless after their deadline: the transport may drop them,
   * and need not keep them across a broker restart. The spec's redelivery delays and ordering are
   * not used.
   *
   * <p>The default throws {@link EventBusConfigurationException}: the transport does not support
   * request-reply.
   *
   * @throws io.eventbus.EventBusException if the subscription cannot be set up
   */
  default TransportSubscription respond(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    throw new EventBusConfigurationException(
        getClass().getName() + " does not support request-reply: it cannot answer requests");
  }

  /**
   * The names the bus gives this transport in spans and metrics (default: system {@code eventbus},
   * no exchange).
   */
  default TelemetryNames telemetryNames() {
    return new TelemetryNames("eventbus", "");
  }

  /**
   * Registers the transport's own metrics with {@code openTelemetry} (its meter provider); called
   * once by the bus before it publishes or subscribes. Instruments must read figures the transport
   * keeps anyway (asynchronous instruments), so that an OpenTelemetry without an SDK costs nothing.
   * The transport releases them on {@link #close()}. The default registers nothing.
   */
  default void instrument(OpenTelemetry openTelemetry) {}

  /**
   * The health of the transport's shared parts (connections, publisher), without its subscriptions,
   * which report through {@link TransportSubscription#health()}. Must be cheap and must not wait
   * for the broker: anything that needs a round trip is sampled in the background. The default is
   * one component {@code transport} of status {@link Health.Status#UNKNOWN}.
   */
  default Health health() {
    return Health.of(
        List.of(
            new Health.Component(
                "transport",
                Health.Status.UNKNOWN,
                getClass().getName() + " does not report its health",
                Map.of())));
  }

  /** Releases everything the transport opened. Idempotent. */
  @Override
  void close();
}
