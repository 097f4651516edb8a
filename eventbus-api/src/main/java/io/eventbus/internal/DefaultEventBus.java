package io.eventbus.internal;

import io.eventbus.EventBus;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventType;
import io.eventbus.EventTypeRegistry;
import io.eventbus.Handlers;
import io.eventbus.Handlers.Registration;
import io.eventbus.Handlers.Responder;
import io.eventbus.Health;
import io.eventbus.PublishOptions;
import io.eventbus.PublishReceipt;
import io.eventbus.RequestOptions;
import io.eventbus.RequestPolicy;
import io.eventbus.Sleeper;
import io.eventbus.Subscription;
import io.eventbus.SubscriptionOptions;
import io.eventbus.codec.EventCodec;
import io.eventbus.spi.BusExtensions;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportSubscription;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link EventBus} behind {@link EventBus#builder()}. */
public final class DefaultEventBus implements EventBus, BusExtensions {
  private static final Logger log = LoggerFactory.getLogger(DefaultEventBus.class);

  private final Transport transport;
  private final String source;
  private final Clock clock;
  private final Sleeper sleeper;
  private final EventCodec codec;
  private final Telemetry telemetry;
  private final Requester requester;
  private final BusPublisher publisher;
  private final ReplyWriter replies;
  private final RequestTelemetry requestTelemetry;
  private final List<DefaultSubscription> subscriptions = new CopyOnWriteArrayList<>();
  private final List<Supplier<Health.Component>> healthContributors = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile EventTypeRegistry registry;

  /**
   * A bus instrumented by {@code telemetry}, stamping events with {@code clock} and waiting between
   * retries through {@code sleeper}. The caller has already handed the transport its OpenTelemetry
   * ({@link Transport#instrument}).
   */
  public DefaultEventBus(
      Transport transport,
      String source,
      Clock clock,
      Sleeper sleeper,
      EventCodec codec,
      EventTypeRegistry registry,
      Telemetry telemetry) {
    this(
        transport,
        source,
        clock,
        sleeper,
        codec,
        registry,
        telemetry,
        Map.of(),
        OpenTelemetry.noop());
  }

  /**
   * A bus as above that sends requests under {@code requestPolicies} (by request class) and
   * instruments request-reply through {@code openTelemetry} when {@code telemetry} is enabled.
   */
  public DefaultEventBus(
      Transport transport,
      String source,
      Clock clock,
      Sleeper sleeper,
      EventCodec codec,
      EventTypeRegistry registry,
      Telemetry telemetry,
      Map<Class<?>, RequestPolicy> requestPolicies,
      OpenTelemetry openTelemetry) {
    this.transport = transport;
    this.source = source;
    this.clock = clock;
    this.sleeper = sleeper;
    this.codec = codec;
    this.registry = registry;
    this.telemetry = telemetry;
    this.requestTelemetry =
        RequestTelemetry.create(telemetry, openTelemetry, transport.telemetryNames());
    this.publisher =
        new BusPublisher(transport, source, clock, codec, telemetry, this::registry, closed::get);
    this.replies = new ReplyWriter(source, clock, codec, this::registry);
    this.requester =
        new Requester(
            transport, source, clock, codec, this::registry, requestPolicies, requestTelemetry);
  }

  @Override
  public <R> CompletionStage<R> request(
      Object request, Class<R> replyClass, RequestOptions options) {
    return requester.request(request, replyClass, options);
  }

  @Override
  public CompletionStage<PublishReceipt> publish(Object event, PublishOptions options) {
    return publisher.publish(event, options);
  }

  @Override
  public OutboundMessage prepare(Object event, PublishOptions options) {
    return publisher.prepare(event, options);
  }

  @Override
  public CompletionStage<PublishReceipt> send(OutboundMessage message) {
    return publisher.send(message);
  }

  @Override
  public HealthRegistration addHealth(Supplier<Health.Component> component) {
    Objects.requireNonNull(component, "component");
    healthContributors.add(component);
    return () -> healthContributors.remove(component);
  }

  @Override
  public CompletionStage<List<PublishReceipt>> publishAll(List<?> events) {
    return publisher.publishAll(events);
  }

  /**
   * A random (version 4) UUID. Event ids must be unique, not unpredictable, so the thread-local
   * generator serves instead of {@code UUID.randomUUID()}'s contended {@code SecureRandom}.
   */
  static String randomId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
    return new UUID(high, low).toString();
  }

  @Override
  public PublishReceipt publishAndWait(Object event) {
    return publisher.publishAndWait(event);
  }

  @Override
  public synchronized Subscription subscribe(SubscriptionOptions options, Handlers handlers) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(handlers, "handlers");
    if (closed.get()) {
      throw new IllegalStateException("The bus is closed");
    }
    if (handlers.registrations().isEmpty() && handlers.responders().isEmpty()) {
      throw new EventBusConfigurationException(
          "Subscription '" + options.name() + "' has no handlers");
    }
    EventTypeRegistry.Builder updated = registry.toBuilder();
    Map<String, Registration<?>> byType = new LinkedHashMap<>();
    for (Registration<?> registration : handlers.registrations().values()) {
      String name = typeNameOf(registration.eventClass(), registration.description());
      updated.register(name, registration.eventClass());
      byType.put(name, registration);
    }
    Map<String, Responder<?>> respondersByType = new LinkedHashMap<>();
    for (Responder<?> responder : handlers.responders().values()) {
      String name = typeNameOf(responder.requestClass(), responder.description());
      updated.register(name, responder.requestClass());
      respondersByType.put(name, responder);
    }
    EventTypeRegistry newRegistry = updated.build();
    registry = newRegistry;
    // The event pipeline first: its configuration mistakes fail before anything is started.
    SubscriptionControl control = new SubscriptionControl(options.name());
    Pipeline pipeline =
        byType.isEmpty()
            ? null
            : new Pipeline(
                options.name(),
                byType,
                this::registry,
                codec,
                options,
                clock,
                sleeper,
                telemetry,
                control,
                Scheduler.shared(),
                System::nanoTime);
    TransportSubscription answering = null;
    if (!respondersByType.isEmpty()) {
      Pipeline responders =
          new Pipeline(
              options.name(),
              respondersByType,
              this::registry,
              codec,
              options,
              clock,
              telemetry,
              replies,
              requestTelemetry);
      try {
        answering =
            transport.respond(
                new SubscriptionSpec(
                    options.name(),
                    respondersByType.keySet(),
                    options.concurrency(),
                    options.prefetch(),
                    List.of(),
                    SubscriptionOptions.Ordering.NONE,
                    options.stallTimeout()),
                responders);
      } catch (RuntimeException e) {
        if (pipeline != null) {
          pipeline.close();
        }
        throw e;
      }
      log.info("Responders {} started for {}", options.name(), respondersByType.keySet());
      if (pipeline == null) {
        DefaultSubscription subscription =
            new DefaultSubscription(options.name(), answering, subscriptions::remove);
        subscriptions.add(subscription);
        return subscription;
      }
    }
    TransportSubscription running;
    try {
      running =
          transport.subscribe(
              new SubscriptionSpec(
                  options.name(),
                  byType.keySet(),
                  options.concurrency(),
                  options.prefetch(),
                  options.redeliveryDelays(),
                  options.ordering(),
                  options.stallTimeout()),
              pipeline);
    } catch (RuntimeException e) {
      pipeline.close();
      if (answering != null) {
        answering.close();
      }
      throw e;
    }
    control.attach(running);
    if (answering != null) {
      running = Both.of(running, answering);
    }
    DefaultSubscription subscription =
        new DefaultSubscription(options.name(), running, pipeline, control, subscriptions::remove);
    subscriptions.add(subscription);
    log.info("Subscription {} started for {}", options.name(), byType.keySet());
    return subscription;
  }

  private String typeNameOf(Class<?> eventClass, String description) {
    return registry
        .nameFor(eventClass)
        .orElseGet(
            () -> {
              if (!eventClass.isAnnotationPresent(EventType.class)) {
                throw new EventBusConfigurationException(
                    "The event class "
                        + eventClass.getName()
                        + " of "
                        + description
                        + " is not an event type: annotate it with @EventType or register it with"
                        + " a name");
              }
              return EventTypeRegistry.declaredName(eventClass);
            });
  }

  @Override
  public Health health() {
    if (closed.get()) {
      return Health.of(
          List.of(new Health.Component("bus", Health.Status.DOWN, "the bus is closed", Map.of())));
    }
    List<Health.Component> components = new ArrayList<>(transport.health().components());
    for (DefaultSubscription subscription : subscriptions) {
      components.add(subscription.health());
    }
    components.addAll(requester.health());
    for (Supplier<Health.Component> contributor : healthContributors) {
      components.add(contributor.get());
    }
    return Health.of(components);
  }

  @Override
  public EventTypeRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (DefaultSubscription subscription : subscriptions) {
      try {
        subscription.close();
      } catch (RuntimeException e) {
        log.warn("Subscription {} did not close cleanly", subscription.name(), e);
      }
    }
    transport.close();
    requester.close();
  }
}
