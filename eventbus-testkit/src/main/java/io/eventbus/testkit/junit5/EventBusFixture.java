package io.eventbus.testkit.junit5;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import io.eventbus.EventBus;
import io.eventbus.codec.WireMessage;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.Transport;
import io.eventbus.testkit.DeadLetter;
import io.eventbus.testkit.DeliveryLedger;
import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.InMemoryTransport;
import io.eventbus.testkit.broker.Broker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * every transport it made (and so the buses' subscriptions) and deletes the queues, dead-letter
 * queues and exchange it declared on the broker.
 */
public final class EventBusFixture {
  private static final Logger log = LoggerFactory.getLogger(EventBusFixture.class);

  private final TransportKind kind;
  private final @Nullable Broker broker;
  private final EventRecorder recorder = EventRecorder.create();
  private final String scope = UUID.randomUUID().toString().substring(0, 8);
  private final RabbitTopology topology;
  private final List<Transport> transports = new ArrayList<>();
  private final Set<SubscriptionSpec> declared = new LinkedHashSet<>();
  private @Nullable InMemoryTransport memory;

  EventBusFixture(TransportKind kind, @Nullable Broker broker) {
    this.kind = kind;
    this.broker = broker;
    this.topology = RabbitTopology.defaults().withExchange("eventbus-tk-" + scope);
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
    return kind == TransportKind.BROKER ? topology.exchange() : "eventbus";
  }

  /** The queue that holds {@code subscription}'s messages (on a broker, scoped to this fixture). */
  public String queueName(String subscription) {
    Objects.requireNonNull(subscription, "subscription");
    return kind == TransportKind.BROKER ? "tk-" + scope + "." + subscription : subscription;
  }

  /**
   * A new recording transport: in memory, a {@link InMemoryTransport#peer() peer} on the fixture's
   * state; on a broker, a {@link RabbitTransport} on the fixture's exchange. Each call is another
   * connection, as another service instance would have. Closed at the end of the fixture.
   */
  public Transport transport() {
    if (kind == TransportKind.IN_MEMORY) {
      return track(inMemory().peer());
    }
    return transport(broker().uri(), UnaryOperator.identity());
  }

  /**
   * A new recording {@link RabbitTransport} to {@code uri} (for example through a {@link
   * io.eventbus.testkit.fault.ConnectionCutter}), on the fixture's exchange, after {@code options}
   * adjusted its builder (timeouts, connection name; not the topology).
   *
   * @throws IllegalStateException for an in-memory fixture
   */
  public Transport transport(String uri, UnaryOperator<RabbitTransport.Builder> options) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(options, "options");
    broker();
    RabbitTransport.Builder builder =
        RabbitTransport.builder()
            .uri(uri)
            .connectionName("eventbus-testkit-" + scope)
            .publisher(PublisherSettings.defaults().withTimeout(Duration.ofSeconds(10)))
            .shutdownTimeout(Duration.ofSeconds(5))
            .connectTimeout(Duration.ofSeconds(5));
    RabbitTransport rabbit = options.apply(builder).topology(topology).build();
    return track(rabbit);
  }

  /** {@code EventBus.builder()} with a new {@link #transport()}. */
  public EventBus.Builder busBuilder() {
    return EventBus.builder().transport(transport());
  }

  /**
   * What {@code subscription} has parked so far, oldest first. In memory, the transport's list; on
   * a broker, read from the dead-letter queue without removing anything.
   */
  public List<DeadLetter> deadLetters(String subscription) {
    Objects.requireNonNull(subscription, "subscription");
    if (kind == TransportKind.IN_MEMORY) {
      return inMemory().deadLetters(subscription);
    }
    String queue = topology.deadLetterQueue(queueName(subscription));
    List<DeadLetter> parked = new ArrayList<>();
    try (Connection connection = admin()) {
      Channel channel = connection.createChannel();
      for (GetResponse response = channel.basicGet(queue, false);
          response != null;
          response = channel.basicGet(queue, false)) {
        parked.add(
            new DeadLetter(
                subscription,
                new WireMessage(
                    response.getBody(),
                    response.getProps().getContentType(),
                    text(response.getProps().getHeaders()))));
      }
      // Closing the connection returns every message read without an ack to the queue.
    } catch (Exception e) {
      throw new IllegalStateException("Could not read " + queue + ": " + e.getMessage(), e);
    }
    return parked;
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

  private Connection admin() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker().uri());
    factory.setConnectionTimeout(5_000);
    factory.setAutomaticRecoveryEnabled(false);
    return factory.newConnection("eventbus-testkit-admin-" + scope);
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
    java.util.Collections.reverse(open);
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
    try (Connection connection = admin()) {
      for (SubscriptionSpec spec : subscriptions) {
        for (String queue : topology.queuesOf(spec)) {
          delete(connection, channel -> channel.queueDelete(queue));
        }
        for (String exchange : topology.exchangesOf(spec)) {
          delete(connection, channel -> channel.exchangeDelete(exchange));
        }
      }
      delete(connection, channel -> channel.exchangeDelete(topology.exchange()));
    } catch (Exception e) {
      log.warn("Could not delete the queues of fixture {}: {}", scope, e.getMessage());
    }
  }

  private interface Deletion {
    void run(Channel channel) throws Exception;
  }

  /** One channel per deletion: a refused one closes only its own channel. */
  private static void delete(Connection connection, Deletion deletion) {
    try (Channel channel = connection.createChannel()) {
      deletion.run(channel);
    } catch (Exception e) {
      log.debug("Cleanup step failed: {}", e.getMessage());
    }
  }

  private static Map<String, String> text(@Nullable Map<String, Object> headers) {
    Map<String, String> text = new LinkedHashMap<>();
    if (headers != null) {
      headers.forEach(
          (name, value) -> {
            if (value instanceof LongString longString) {
              text.put(name, new String(longString.getBytes(), StandardCharsets.UTF_8));
            } else if (value != null && !(value instanceof List) && !(value instanceof Map)) {
              text.put(name, value.toString());
            }
          });
    }
    return text;
  }

  @Override
  public String toString() {
    return "EventBusFixture[" + kind + ", scope " + scope + "]";
  }
}
