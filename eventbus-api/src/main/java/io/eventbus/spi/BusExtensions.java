package io.eventbus.spi;

import io.eventbus.EventBus;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.Health;
import io.eventbus.PublishOptions;
import io.eventbus.PublishReceipt;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * What an extension of a running bus (a transactional outbox, a scheduler) needs beyond {@link
 * io.eventbus.EventPublisher}: encode an event now and send it later, and report its own health in
 * {@link EventBus#health()}. For extension authors; applications publish through {@link EventBus}.
 *
 * <pre>{@code
 * BusExtensions extensions = BusExtensions.of(bus);
 * OutboundMessage message = extensions.prepare(order, PublishOptions.none()); // encoded now
 * store(message);                                                             // kept somewhere
 * extensions.send(load()).toCompletableFuture().join();                        // confirmed later
 * }</pre>
 *
 * {@code bus.publish(event, options)} behaves exactly as {@code send(prepare(event, options))}
 * called at once.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe, like the bus.
 *
 * <h2>Lifecycle</h2>
 *
 * Valid as long as the bus; after {@link EventBus#close()} both methods fail as publishing does.
 *
 * <h2>Failures</h2>
 *
 * {@link #prepare} throws what {@code publish} would complete with before sending: {@link
 * io.eventbus.UnknownEventTypeException} for an unregistered class, {@link
 * io.eventbus.PublishException} when the event cannot be encoded or the bus is closed. {@link
 * #send} completes as {@code publish} does.
 */
public interface BusExtensions {

  /**
   * The extension points of {@code bus}.
   *
   * @throws EventBusConfigurationException if {@code bus} is not a bus built by {@link
   *     EventBus#builder()} (a decorator must implement this interface itself)
   */
  static BusExtensions of(EventBus bus) {
    if (bus instanceof BusExtensions extensions) {
      return extensions;
    }
    throw new EventBusConfigurationException(
        bus.getClass().getName()
            + " does not offer BusExtensions: pass the bus built by EventBus.builder()");
  }

  /**
   * Turns {@code event} into the message {@code publish} would send, now: the type name from the
   * bus's registry, the id (from {@code options}, else a fresh one), the bus's source and clock for
   * {@code source} and {@code time}, the {@link io.eventbus.PartitionKey}, the options' attributes,
   * the body from the bus's codec, and the trace context current on the calling thread (W3C {@code
   * traceparent}, when an OpenTelemetry SDK is installed), which {@link #send} later continues.
   * Nothing is sent.
   *
   * @throws io.eventbus.UnknownEventTypeException if the event's class is not registered
   * @throws io.eventbus.PublishException if the event cannot be encoded or the bus is closed
   */
  OutboundMessage prepare(Object event, PublishOptions options);

  /**
   * Sends a message made by {@link #prepare} (possibly by another bus, in another process, long
   * before) through this bus's transport, byte for byte but for the trace context: the PRODUCER
   * span of the send is a child of the context the message carries, and the message leaves with the
   * span's own context, as a direct publish would. Completes with a receipt once the broker
   * confirmed it, or exceptionally with a {@link io.eventbus.PublishException}, always within the
   * transport's publish deadline.
   */
  CompletionStage<PublishReceipt> send(OutboundMessage message);

  /**
   * Adds {@code component} to every {@link EventBus#health()} from now on, until the returned
   * registration is closed. The supplier is called on each {@code health()} call: it must be cheap
   * and must not wait for I/O (sample in the background instead) and must not throw.
   */
  HealthRegistration addHealth(Supplier<Health.Component> component);

  /** Undoes an {@link #addHealth}. */
  @FunctionalInterface
  interface HealthRegistration extends AutoCloseable {
    /** Removes the registration. Idempotent. */
    @Override
    void close();
  }
}
