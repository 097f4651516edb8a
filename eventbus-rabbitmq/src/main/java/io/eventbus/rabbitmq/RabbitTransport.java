package io.eventbus.rabbitmq;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.rabbitmq.internal.AmqpMapping;
import io.eventbus.rabbitmq.internal.ConfirmingPublisher;
import io.eventbus.rabbitmq.internal.DaemonThreads;
import io.eventbus.rabbitmq.internal.RabbitSubscription;
import io.eventbus.rabbitmq.internal.Redaction;
import io.eventbus.rabbitmq.internal.TopologyDeclarer;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportSubscription;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RabbitMQ (AMQP 0-9-1) {@link Transport}: publishes to a topic exchange with publisher
 * confirms and mandatory routing, and consumes each subscription from its own quorum queue with
 * manual acknowledgements. See docs/wire-format.md for the messages and the topology.
 *
 * <pre>{@code
 * Transport transport = RabbitTransport.builder()
 *     .uri("amqp://guest:guest@localhost:5672")
 *     .connectionName("orders")
 *     .build();
 * }</pre>
 *
 * <h2>Connections</h2>
 *
 * Two connections: one for publishing, one for consuming, so that a broker blocking publishers (a
 * resource alarm) cannot starve the consumers that would relieve it. Publishing goes through one
 * confirming channel; each subscription gets {@code concurrency} channels on the consuming
 * connection.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link Builder#build()} connects and declares the exchange. The {@link io.eventbus.EventBus} that
 * is given the transport owns it and closes it; {@link #close()} stops the subscriptions, waits up
 * to the shutdown timeout for outstanding confirms, and closes both connections.
 *
 * <h2>Failures</h2>
 *
 * {@link Builder#build()} throws {@link EventBusException} if no broker can be reached. A publish
 * that is not confirmed within the publish timeout fails with {@link
 * io.eventbus.PublishNotConfirmedException}; an unroutable one with {@link
 * io.eventbus.UnroutableEventException}. This version does not reconnect by itself: when a
 * connection is lost, publishes fail and consumers stop until a new transport is built. Passwords
 * never appear in logs, exceptions or connection names.
 */
public final class RabbitTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(RabbitTransport.class);

  private final RabbitTopology topology;
  private final Duration publishTimeout;
  private final Duration shutdownTimeout;
  private final TopologyDeclarer declarer;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(new DaemonThreads("deadlines"));
  private final ExecutorService completions =
      Executors.newSingleThreadExecutor(new DaemonThreads("confirms"));
  private final ExecutorService dispatch =
      Executors.newCachedThreadPool(new DaemonThreads("consumer"));
  private final Connection publishing;
  private final Connection consuming;
  private final ConfirmingPublisher publisher;
  private final List<RabbitSubscription> subscriptions = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private RabbitTransport(Builder builder) {
    this.topology = builder.topology;
    this.publishTimeout = builder.publishTimeout;
    this.shutdownTimeout = builder.shutdownTimeout;
    this.declarer = new TopologyDeclarer(topology);
    ConnectionFactory factory = builder.connectionFactory();
    List<Address> addresses = builder.addresses();
    String where = builder.redactedUris();
    Connection publishing = null;
    Connection consuming = null;
    try {
      publishing = factory.newConnection(addresses, builder.connectionName + "-publish");
      consuming = factory.newConnection(dispatch, addresses, builder.connectionName + "-consume");
      this.publishing = publishing;
      this.consuming = consuming;
      declarer.declareExchange(consuming);
      this.publisher = new ConfirmingPublisher(publishing, publishTimeout, scheduler, completions);
    } catch (IOException | TimeoutException | RuntimeException e) {
      closeQuietly(publishing);
      closeQuietly(consuming);
      shutdownExecutors();
      throw new EventBusException("Could not connect to " + where + ": " + e.getMessage(), e);
    }
    log.info("Connected to {} as {}", where, builder.connectionName);
  }

  /** A builder for a transport. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletionStage<Void> send(OutboundMessage message) {
    return publisher.publish(
        topology.exchange(),
        message.eventType(),
        AmqpMapping.properties(message.message(), topology),
        message.message().body(),
        message.eventId(),
        message.eventType());
  }

  @Override
  public TransportSubscription subscribe(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(receiver, "receiver");
    if (closed.get()) {
      throw new IllegalStateException("The transport is closed");
    }
    declarer.declareSubscription(consuming, spec);
    Map<Duration, String> retryQueues = new HashMap<>();
    spec.redeliveryDelays()
        .forEach(delay -> retryQueues.put(delay, topology.retryQueue(spec.name(), delay)));
    RabbitSubscription subscription =
        new RabbitSubscription(
            spec,
            declarer.consumedQueues(spec),
            retryQueues,
            topology.deadLetterQueue(spec.name()),
            publisher,
            publishTimeout,
            shutdownTimeout,
            receiver);
    subscription.start(consuming);
    subscriptions.add(subscription);
    return () -> {
      subscriptions.remove(subscription);
      subscription.close();
    };
  }

  /**
   * The dead-letter queue of {@code subscription}, to count, look at, replay or discard its parked
   * events.
   */
  public RabbitDeadLetters deadLetters(String subscription) {
    Objects.requireNonNull(subscription, "subscription");
    if (closed.get()) {
      throw new IllegalStateException("The transport is closed");
    }
    return new RabbitDeadLetters(
        subscription, topology.deadLetterQueue(subscription), consuming, publisher, publishTimeout);
  }

  /** How many publishes await their broker confirm right now. */
  public int outstandingConfirms() {
    return publisher.outstanding();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (RabbitSubscription subscription : subscriptions) {
      subscription.close();
    }
    publisher.close(shutdownTimeout);
    closeQuietly(consuming);
    closeQuietly(publishing);
    shutdownExecutors();
  }

  private void shutdownExecutors() {
    scheduler.shutdownNow();
    completions.shutdown();
    dispatch.shutdown();
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null && connection.isOpen()) {
      try {
        connection.close(5_000);
      } catch (IOException | RuntimeException e) {
        log.debug("Connection {} did not close cleanly", connection.getClientProvidedName(), e);
      }
    }
  }

  /** Collects the transport's settings; {@link #build()} connects. Not thread-safe. */
  public static final class Builder {
    private final List<URI> uris = new ArrayList<>();
    private String connectionName = "eventbus";
    private RabbitTopology topology = RabbitTopology.defaults();
    private Duration publishTimeout = Duration.ofSeconds(30);
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * Adds a broker to connect to, as an AMQP URI ({@code amqp://user:pass@host:5672/vhost}, or
     * {@code amqps://} for TLS with certificate verification). With several, the first reachable
     * one is used; credentials, virtual host and TLS come from the first.
     */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri");
      try {
        URI parsed = new URI(uri);
        if (!"amqp".equals(parsed.getScheme()) && !"amqps".equals(parsed.getScheme())) {
          throw new EventBusConfigurationException(
              "Not an AMQP URI: " + Redaction.uri(uri) + " (use amqp:// or amqps://)");
        }
        uris.add(parsed);
      } catch (URISyntaxException e) {
        throw new EventBusConfigurationException("Invalid AMQP URI: " + Redaction.uri(uri));
      }
      return this;
    }

    /** The name both connections show in the management UI, suffixed with -publish and -consume. */
    public Builder connectionName(String connectionName) {
      this.connectionName = Objects.requireNonNull(connectionName, "connectionName");
      return this;
    }

    /** What to declare on the broker (default {@link RabbitTopology#defaults()}). */
    public Builder topology(RabbitTopology topology) {
      this.topology = Objects.requireNonNull(topology, "topology");
      return this;
    }

    /** How long a publish may wait for its confirm before it fails (default 30 s). */
    public Builder publishTimeout(Duration publishTimeout) {
      this.publishTimeout = positive(publishTimeout, "publishTimeout");
      return this;
    }

    /** How long close waits for handlers in flight and outstanding confirms (default 30 s). */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = positive(shutdownTimeout, "shutdownTimeout");
      return this;
    }

    /** How long connecting to one broker may take (default 10 s). */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Connects to the first reachable broker and declares the exchange.
     *
     * @throws EventBusException if no broker could be reached
     */
    public RabbitTransport build() {
      if (uris.isEmpty()) {
        uri("amqp://localhost:5672");
      }
      return new RabbitTransport(this);
    }

    private ConnectionFactory connectionFactory() {
      ConnectionFactory factory = new ConnectionFactory();
      try {
        factory.setUri(uris.get(0));
      } catch (java.security.GeneralSecurityException e) {
        throw new EventBusConfigurationException(
            "Invalid AMQP URI " + Redaction.uri(uris.get(0).toString()) + ": " + e.getMessage());
      }
      factory.setAutomaticRecoveryEnabled(false);
      factory.setTopologyRecoveryEnabled(false);
      factory.setConnectionTimeout((int) connectTimeout.toMillis());
      factory.setHandshakeTimeout((int) connectTimeout.toMillis());
      factory.setChannelRpcTimeout((int) connectTimeout.toMillis());
      factory.setRequestedHeartbeat(20);
      return factory;
    }

    private List<Address> addresses() {
      List<Address> addresses = new ArrayList<>();
      for (URI uri : uris) {
        boolean tls = "amqps".equals(uri.getScheme());
        int port = uri.getPort() != -1 ? uri.getPort() : tls ? 5671 : 5672;
        addresses.add(new Address(uri.getHost() == null ? "localhost" : uri.getHost(), port));
      }
      return addresses;
    }

    private String redactedUris() {
      return String.join(", ", uris.stream().map(uri -> Redaction.uri(uri.toString())).toList());
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new EventBusConfigurationException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
