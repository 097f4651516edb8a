package io.eventbus.samples.orders;

import io.eventbus.EventBus;
import io.eventbus.EventPublisher;
import io.eventbus.Handlers;
import io.eventbus.Health;
import io.eventbus.RequestPolicy;
import io.eventbus.Subscription;
import io.eventbus.SubscriptionOptions;
import io.eventbus.jdbc.Inbox;
import io.eventbus.jdbc.Outbox;
import io.eventbus.middleware.Stage;
import io.eventbus.samples.orders.analytics.AnalyticsHandlers;
import io.eventbus.samples.orders.billing.BillingHandlers;
import io.eventbus.samples.orders.billing.PaymentProvider;
import io.eventbus.samples.orders.customers.CustomerResponders;
import io.eventbus.samples.orders.events.OrderPlaced;
import io.eventbus.samples.orders.events.PaymentCompleted;
import io.eventbus.samples.orders.events.ShipmentDispatched;
import io.eventbus.samples.orders.inventory.InventoryResponders;
import io.eventbus.samples.orders.monitor.ServiceMetrics;
import io.eventbus.samples.orders.notification.Mailer;
import io.eventbus.samples.orders.notification.NotificationHandlers;
import io.eventbus.samples.orders.ordering.OrderService;
import io.eventbus.samples.orders.ordering.OutboxEvents;
import io.eventbus.samples.orders.points.PointsHandlers;
import io.eventbus.samples.orders.shipping.ShippingHandlers;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Starts the services of a {@link Role}, each with a bus of its own, as separate processes would
 * have: its own connection, its own CloudEvents {@code source}, its own queue. Consumers start
 * first, so that their queues exist before the first order is published.
 */
final class Services implements AutoCloseable {
  private final FlowEnvironment environment;
  private final String namespace;
  private final Clock clock;
  private final List<EventBus> buses = new ArrayList<>();
  private final Map<String, ServiceMetrics> metrics = new LinkedHashMap<>();
  private final Map<String, SubscriptionOptions> subscriptions = new LinkedHashMap<>();
  private final Map<String, EventBus> consumers = new LinkedHashMap<>();

  /** Outboxes first (closed before the buses they publish through), inboxes after them. */
  private final List<AutoCloseable> closing = new ArrayList<>();

  @Nullable OrderService orders;

  /** The order service's events through the outbox, when it has one. */
  @Nullable OutboxEvents outboxEvents;

  @Nullable ShippingHandlers shipping;
  @Nullable NotificationHandlers notification;
  @Nullable PointsHandlers points;
  @Nullable BillingHandlers billing;
  @Nullable AnalyticsHandlers analytics;
  private @Nullable EventBus inventoryBus;
  private @Nullable Subscription inventory;

  private Services(FlowEnvironment environment, String namespace, Clock clock) {
    this.environment = environment;
    this.namespace = namespace;
    this.clock = clock;
  }

  /**
   * Starts the services {@code role} runs, the order service placing order {@code poisonOrder}
   * without items. On failure, closes what was started and throws.
   */
  static Services start(
      Role role,
      FlowEnvironment environment,
      String namespace,
      String runId,
      int poisonOrder,
      Mailer mailer,
      PaymentProvider payments,
      Clock clock) {
    return start(role, environment, namespace, runId, poisonOrder, mailer, payments, clock, null);
  }

  /**
   * As above; with {@code database}, the order service stores its events through the outbox and
   * shipping handles each event once through the inbox.
   */
  static Services start(
      Role role,
      FlowEnvironment environment,
      String namespace,
      String runId,
      int poisonOrder,
      Mailer mailer,
      PaymentProvider payments,
      Clock clock,
      @Nullable OrdersDatabase database) {
    Services services = new Services(environment, namespace, clock);
    try {
      if (role.runs(Role.SHIPPING)) {
        Function<String, SubscriptionOptions.Builder> shippingOptions = ShippingHandlers::options;
        if (database != null) {
          Inbox inbox =
              Inbox.builder(database.dataSource())
                  .tables(database.tables())
                  .createSchema(true)
                  .build();
          services.closing.add(inbox);
          shippingOptions = queue -> ShippingHandlers.options(queue).middleware(inbox.middleware());
        }
        services.shipping =
            services.consumer(
                "shipping", shippingOptions, ShippingHandlers::new, ShipmentDispatched.class);
      }
      if (role.runs(Role.NOTIFICATION)) {
        services.notification =
            services.consumer(
                "notification",
                NotificationHandlers::options,
                bus -> new NotificationHandlers(mailer));
      }
      if (role.runs(Role.POINTS)) {
        services.points =
            services.consumer("points", PointsHandlers::options, bus -> new PointsHandlers());
      }
      if (role.runs(Role.BILLING)) {
        services.billing =
            services.consumer(
                "billing", BillingHandlers::options, bus -> new BillingHandlers(payments));
      }
      if (role.runs(Role.ANALYTICS)) {
        services.analytics =
            services.consumer(
                "analytics", AnalyticsHandlers::options, bus -> new AnalyticsHandlers());
      }
      if (role == Role.ALL) {
        // In one process the flow runs its responders too; --role order asks whoever answers.
        services.responder("customers", new CustomerResponders());
        services.inventoryBus = services.responder("inventory", new InventoryResponders());
      }
      if (role.runs(Role.ORDER)) {
        EventBus bus =
            services.bus(
                "order", OrderService.requestPolicies(), OrderPlaced.class, PaymentCompleted.class);
        if (database == null) {
          services.orders = new OrderService(bus, runId, poisonOrder, services.metrics("order"));
        } else {
          Outbox outbox =
              Outbox.builder(bus, database.dataSource())
                  .tables(database.tables())
                  .createSchema(true)
                  .build();
          services.closing.add(0, outbox);
          services.outboxEvents = new OutboxEvents(database.dataSource(), outbox);
          services.orders =
              new OrderService(
                  services.outboxEvents, runId, poisonOrder, services.metrics("order"));
        }
        services.orders.askWith(bus);
      }
    } catch (RuntimeException e) {
      services.close();
      throw e;
    }
    return services;
  }

  /**
   * Starts one consuming service: a bus for {@code service}, its handlers (given the bus, to
   * publish with), and one subscription with the service's own options plus two metrics links.
   */
  private <H> H consumer(
      String service,
      Function<String, SubscriptionOptions.Builder> options,
      Function<EventPublisher, H> handlers,
      Class<?>... publishes) {
    EventBus bus = bus(service, publishes);
    H handler = handlers.apply(bus);
    ServiceMetrics measured = metrics(service);
    SubscriptionOptions subscription =
        options
            .apply(queue(service))
            .addBefore(Stage.RETRY, measured.perDelivery())
            .middleware(measured.perAttempt())
            .build();
    bus.subscribe(subscription, Handlers.scan(handler));
    subscriptions.put(service, subscription);
    consumers.put(service, bus);
    return handler;
  }

  private EventBus bus(String service, Class<?>... publishes) {
    return bus(service, Map.of(), publishes);
  }

  private EventBus bus(
      String service, Map<Class<?>, RequestPolicy> policies, Class<?>... publishes) {
    EventBus.Builder builder =
        EventBus.builder()
            .transport(environment.transport(service))
            .source("/" + service)
            .register(publishes);
    policies.forEach(builder::requestPolicy);
    EventBus bus = builder.build();
    buses.add(bus);
    return bus;
  }

  /**
   * Starts one answering service: a bus for {@code service} whose {@link
   * io.eventbus.RequestHandler} methods answer requests, measured per request in the live view (it
   * has no queue of its own to show: its request queue lives while it answers).
   */
  private EventBus responder(String service, Object responders) {
    EventBus bus = bus(service);
    Subscription subscription = bus.subscribe(responderOptions(service), Handlers.scan(responders));
    if (service.equals("inventory")) {
      inventory = subscription;
    }
    return bus;
  }

  private SubscriptionOptions responderOptions(String service) {
    return SubscriptionOptions.builder(queue(service))
        .concurrency(2)
        .middleware(metrics(service).perAttempt())
        .build();
  }

  /**
   * Takes the inventory service down (its request queue goes with it: requests for stock find no
   * responder and the order service falls back) or brings it back; a no-op where this process does
   * not run it.
   */
  synchronized void inventory(boolean up) {
    EventBus bus = inventoryBus;
    if (bus == null) {
      return;
    }
    if (!up && inventory != null) {
      inventory.close();
      inventory = null;
    } else if (up && inventory == null) {
      inventory =
          bus.subscribe(responderOptions("inventory"), Handlers.scan(new InventoryResponders()));
    }
  }

  private ServiceMetrics metrics(String service) {
    return metrics.computeIfAbsent(service, name -> new ServiceMetrics(name, clock));
  }

  /** The queue (subscription) name of {@code service}: {@code <namespace>.<service>}. */
  String queue(String service) {
    return namespace + "." + service;
  }

  /** The metrics of the services started, order service last. */
  List<ServiceMetrics> metrics() {
    List<ServiceMetrics> ordered = new ArrayList<>();
    ServiceMetrics order = metrics.get("order");
    if (order != null) {
      ordered.add(order);
    }
    metrics.forEach(
        (service, measured) -> {
          if (!service.equals("order")) {
            ordered.add(measured);
          }
        });
    return ordered;
  }

  /** The subscription options of {@code service}, if this process consumes for it. */
  @Nullable SubscriptionOptions subscription(String service) {
    return subscriptions.get(service);
  }

  /**
   * The health of {@code service}'s subscription (its circuit's state among the details), if this
   * process consumes for it.
   */
  Health.@Nullable Component health(String service) {
    EventBus bus = consumers.get(service);
    return bus == null
        ? null
        : bus.health().component("subscription:" + queue(service)).orElse(null);
  }

  /** Closes every bus: subscriptions stop after their handlers in flight, then the transports. */
  @Override
  public void close() {
    for (AutoCloseable resource : closing) {
      if (resource instanceof Outbox outbox) {
        outbox.close();
      }
    }
    for (EventBus bus : buses) {
      bus.close();
    }
    for (AutoCloseable resource : closing) {
      if (resource instanceof Inbox inbox) {
        inbox.close();
      }
    }
  }
}
