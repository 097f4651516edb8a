package io.eventbus.testkit.junit5;

import io.eventbus.EventBus;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.spi.DeadLetter;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportAdmin;
import io.eventbus.spi.TransportProvider;
import io.eventbus.spi.TransportSettings;
import io.eventbus.testkit.DeliveryLedger;
import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.broker.Broker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a test gets from the {@link EventBusExtension}: transports that record into one {@link
 * EventRecorder}, on memory or on a real broker, with names of their own.
 *
 * <pre>{@code
 * @Test
 * void parksOrdersWithoutItems(EventBusFixture fixture) {
 *   EventBus bus = fixture.busBuilder().subscribe("shipping", new ShippingHandlers()).build();
 *   String id = bus.publishAndWait(new OrderPlaced("o-1", List.of())).eventId();
 *   assertThat(fixture.recorder()).event(id).wasDeadLettered();
 * }
 * }</pre>
 *
 * <h2>Brokers</h2>
 *
 * On a broker the transports come from the {@link TransportProvider} installed for the broker's URI
 * (for {@code amqp://}, the one in {@code eventbus-rabbitmq}, which must be on the test class
 * path); the testkit itself depends on no transport module. {@link #settings()} are the settings
 * the fixture gives them; a test that needs a transport's own options builds it and hands it to
 * {@link #transport(Transport)}.
 *
 * <h2>Isolation</h2>
 *
 * In memory, each fixture has state of its own. On a broker, each fixture declares a unique
 * exchange ({@link #exchange()}) and prefixes every subscription's queue with a unique scope
 * ({@link #queueName(String)}), so tests that share the broker never see each other's messages; the
 * subscription names the bus and the recorder see are unchanged.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe.
 *
 * <h2>Lifecycle</h2>
 *
 * A fixture resolved for a test method (or {@code @BeforeEach}) lives for that test; one resolved
 * for {@code @BeforeAll} or a constructor lives for the test class. At its end the extension closes
 * every transport it made or was given (and so the buses' subscriptions) and deletes the queues,
 * dead-letter queues and exchange it declared on the broker.
 *
 * <h2>Failures</h2>
 *
 * On a broker without an installed provider for its URI, every transport-making method throws
 * {@link IllegalStateException} saying which module to add. Methods for brokers throw {@link
 * IllegalStateException} on an in-memory fixture.
 */
public final class EventBusFixture {
  private static final Logger log = LoggerFactory.getLogger(EventBusFixture.class);

  private final TransportKind kind;
  private final @Nullable Broker broker;
  private final EventRecorder recorder = EventRecorder.create();
  private final String scope = UUID.randomUUID().toString().substring(0, 8);
  private final List<Transport> transports = new ArrayList<>();
  private final Set<SubscriptionSpec> declared = new LinkedHashSet<>();
  private @Nullable InMemoryTransport memory;

  EventBusFixture(TransportKind kind, @Nullable Broker broker) {
    this.kind = kind;
    this.broker = broker;
  }

  /** Where this fixture's transports carry messages. */
  public TransportKind kind() {
    return kind;
  }

  /** The recorder all of this fixture's transports record into. */
  public EventRecorder recorder() {
    return recorder;
  }

  /** The recorder's ledger. */
  public DeliveryLedger ledger() {
    return recorder.ledger();
  }

  /**
   * The broker.
   *
   * @throws IllegalStateException for an in-memory fixture
   */
  public Broker broker() {
    if (broker == null) {
      throw new IllegalStateException(
          "An in-memory fixture has no broker; use TransportKind.BROKER");
    }
    return broker;
  }

  /** The exchange this fixture's broker transports publish to ({@code eventbus} in memory). */
  public String exchange() {
    return kind == TransportKind.BROKER ? "eventbus-tk-" + scope : "eventbus";
  }

  /** The queue that holds {@code subscription}'s messages (on a broker, scoped to this fixture). */
  public String queueName(String subscription) {
    Objects.requireNonNull(subscription, "subscription");
    return kind == TransportKind.BROKER ? "tk-" + scope + "." + subscription : subscription;
  }

  /**
   * The settings of this fixture's broker transports: the broker's URI, the fixture's exchange and
   * connection name, and timeouts short enough for tests (connect 5 s, publish 10 s, shutdown 5 s).
   *
   * @throws IllegalStateException for an in-memory fixture
   */
  public TransportSettings settings() {
    return settings(broker().uri());
  }

  private TransportSettings settings(String uri) {
    return TransportSettings.builder(uri)
        .exchange(exchange())
        .connectionName("eventbus-testkit-" + scope)
        .connectTimeout(Duration.ofSeconds(5))
        .publishTimeout(Duration.ofSeconds(10))
        .shutdownTimeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * A new recording transport: in memory, a {@link InMemoryTransport#peer() peer} on the fixture's
   * state; on a broker, one from the broker's {@link TransportProvider} with {@link #settings()}.
   * Each call is another connection, as another service instance would have. Closed at the end of
   * the fixture.
   */
  public Transport transport() {
    if (kind == TransportKind.IN_MEMORY) {
      return track(inMemory().peer());
    }
    return transport(broker().uri(), UnaryOperator.identity());
  }

  /**
   * A new recording transport like {@link #transport()}, with the fixture's settings after {@code
   * settings} adjusted them. In memory only {@link TransportSettings#failUnroutable()} applies (the
   * peer gets it); on a broker, everything does (keep the exchange).
   */
  public Transport transport(UnaryOperator<TransportSettings.Builder> settings) {
    Objects.requireNonNull(settings, "settings");
    if (kind == TransportKind.IN_MEMORY) {
      TransportSettings adjusted =
          settings.apply(TransportSettings.builder("inmemory://localhost")).build();
      return track(
          InMemoryTransport.builder()
              .peerOf(inMemory())
              .failUnroutable(adjusted.failUnroutable())
              .build());
    }
    return transport(broker().uri(), settings);
  }

  /**
   * A new recording transport to {@code uri} (for example through a {@link
   * io.eventbus.testkit.fault.ConnectionCutter}), with the fixture's settings after {@code
   * settings} adjusted them (timeouts, connection name; keep the exchange).
   *
   * @throws IllegalStateException for an in-memory fixture, or without a provider for {@code uri}
   */
  public Transport transport(String uri, UnaryOperator<TransportSettings.Builder> settings) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(settings, "settings");
    broker();
    TransportSettings adjusted = settings.apply(settings(uri).toBuilder()).build();
    return track(provider(uri).create(adjusted));
  }

  /**
   * Takes {@code transport}, made by the test on this fixture's {@link #exchange()} (with a
   * transport's own options that {@link TransportSettings} does not have), into the fixture: its
   * subscriptions get the fixture's queue names and are cleaned up, it records into the {@link
   * #recorder()}, and it is closed at the end of the fixture. Returns the transport to give the
   * bus.
   */
  public Transport transport(Transport transport) {
    Objects.requireNonNull(transport, "transport");
    return track(transport);
  }

  /** {@code EventBus.builder()} with a new {@link #transport()}. */
  public EventBus.Builder busBuilder() {
    return EventBus.builder().transport(transport());
  }

  /**
   * What {@code subscription} has parked so far, oldest first. In memory, the transport's list; on
   * a broker, read from the dead-letter queue by the provider's admin, without removing anything.
   */
  public List<DeadLetter> deadLetters(String subscription) {
    Objects.requireNonNull(subscription, "subscription");
    if (kind == TransportKind.IN_MEMORY) {
      return inMemory().deadLetters(subscription);
    }
    try (TransportAdmin admin = admin()) {
      return admin.deadLetters(queueName(subscription)).stream()
          .map(parked -> new DeadLetter(subscription, parked.message()))
          .toList();
    }
  }

  private synchronized InMemoryTransport inMemory() {
    if (memory == null) {
      memory = InMemoryTransport.create();
      transports.add(memory);
    }
    return memory;
  }

  private synchronized Transport track(Transport transport) {
    transports.add(transport);
    Transport scoped =
        kind == TransportKind.BROKER ? new ScopedTransport(transport, this::declared) : transport;
    return recorder.record(scoped);
  }

  private synchronized SubscriptionSpec declared(SubscriptionSpec spec) {
    SubscriptionSpec scoped = spec.withName(queueName(spec.name()));
    declared.add(scoped);
    return scoped;
  }

  private TransportAdmin admin() {
    return provider(broker().uri()).admin(settings());
  }

  private static TransportProvider provider(String uri) {
    return TransportProvider.forUri(uri)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "No io.eventbus.spi.TransportProvider is installed for "
                        + schemeOf(uri)
                        + " URIs: add the transport module (for RabbitMQ,"
                        + " io.eventbus:eventbus-rabbitmq) to the test class path. Installed: "
                        + TransportProvider.installed().stream()
                            .map(TransportProvider::name)
                            .toList()));
  }

  private static String schemeOf(String uri) {
    int colon = uri.indexOf(':');
    return colon < 0 ? "scheme-less" : uri.substring(0, colon) + "://";
  }

  /** Closes every transport, then deletes what the fixture declared on the broker. */
  void close() {
    List<Transport> open;
    List<SubscriptionSpec> subscriptions;
    synchronized (this) {
      open = new ArrayList<>(transports);
      subscriptions = new ArrayList<>(declared);
      transports.clear();
    }
    Collections.reverse(open);
    for (Transport transport : open) {
      try {
        transport.close();
      } catch (RuntimeException e) {
        log.warn("A transport of fixture {} did not close cleanly: {}", scope, e.getMessage());
      }
    }
    if (kind == TransportKind.BROKER && broker != null) {
      deleteLeftovers(subscriptions);
    }
  }

  private void deleteLeftovers(List<SubscriptionSpec> subscriptions) {
    try (TransportAdmin admin = admin()) {
      subscriptions.forEach(admin::delete);
      admin.deleteExchange();
    } catch (RuntimeException e) {
      log.warn("Could not delete the queues of fixture {}: {}", scope, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "EventBusFixture[" + kind + ", scope " + scope + "]";
  }
}
