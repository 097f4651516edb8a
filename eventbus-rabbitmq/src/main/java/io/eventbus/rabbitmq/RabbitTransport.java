package io.eventbus.rabbitmq;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.Health;
import io.eventbus.SubscriptionOptions;
import io.eventbus.codec.WireMessage;
import io.eventbus.rabbitmq.internal.AmqpMapping;
import io.eventbus.rabbitmq.internal.BrokerHeaders;
import io.eventbus.rabbitmq.internal.ConnectionSettings;
import io.eventbus.rabbitmq.internal.ConnectionSupervisor;
import io.eventbus.rabbitmq.internal.DaemonThreads;
import io.eventbus.rabbitmq.internal.Exceptions;
import io.eventbus.rabbitmq.internal.QueueProbe;
import io.eventbus.rabbitmq.internal.RabbitMetrics;
import io.eventbus.rabbitmq.internal.SubscriptionRemoval;
import io.eventbus.rabbitmq.internal.Subscriptions;
import io.eventbus.rabbitmq.internal.ThreadSupervisor;
import io.eventbus.rabbitmq.internal.TopologyDeclarer;
import io.eventbus.rabbitmq.internal.TransportHealth;
import io.eventbus.rabbitmq.internal.TransportThreads;
import io.eventbus.rabbitmq.internal.publish.ConfirmingPublisher;
import io.eventbus.rabbitmq.internal.publish.OwnTopology;
import io.eventbus.rabbitmq.internal.rpc.RabbitRequester;
import io.eventbus.rabbitmq.internal.rpc.RabbitResponders;
import io.eventbus.rabbitmq.internal.security.ConnectionSecurity;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TelemetryNames;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportSubscription;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
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
 *     .applicationName("orders")   // connections "orders-publish" and "orders-consume"
 *     .build();
 * }</pre>
 *
 * <h2>Connections and recovery</h2>
 *
 * Two connections: one for publishing, one for consuming, so that a broker blocking publishers (a
 * resource alarm) cannot starve the consumers that would relieve it. The transport owns their
 * recovery (amqp-client's automatic recovery is off): a lost connection is re-opened with back-off
 * across every configured address; the exchange, queues and bindings are declared again and the
 * consumers re-started; events sent but not confirmed are sent again, so a consumer may see an
 * event twice but never misses a confirmed one. Publishing goes through one confirming channel
 * owned by one sender thread; each subscription gets {@code concurrency} channels on the consuming
 * connection.
 *
 * <h2>Backpressure</h2>
 *
 * While the publishing connection is down or blocked by the broker, or the confirm window is full,
 * publishes wait in a buffer bounded by count and bytes ({@link PublisherSettings}); a publish that
 * finds it full fails at once with {@link io.eventbus.PublishBufferFullException}, and every
 * publish fails with {@link io.eventbus.PublishNotConfirmedException} at its deadline. {@link
 * #status()} shows the figures.
 *
 * <h2>Observability</h2>
 *
 * Given an OpenTelemetry by the bus ({@link #instrument}), the transport reports its own figures as
 * asynchronous metrics: {@code eventbus.publisher.outstanding_confirms}, {@code
 * eventbus.publisher.buffered.messages} and {@code .size}, {@code eventbus.publisher.resent},
 * {@code eventbus.publisher.nack_retries}, {@code eventbus.publisher.topology_resends}, {@code
 * eventbus.publisher.unroutable_accepted} (per event type, attribute {@code
 * cloudevents.event_type}), {@code eventbus.connection.state}, {@code
 * eventbus.connection.blocked.time} and {@code eventbus.connection.recoveries}. {@link #health()}
 * reports both connections and the publisher; each subscription reports its consumers and whether
 * it is stalled, from queue depths a health thread samples every {@link Builder#healthCheckInterval
 * health check interval} with a passive declare on the consuming connection.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link Builder#build()} connects and declares the exchange (or, with {@link
 * Builder#connectInBackground}, starts doing so in the background and returns at once). The {@link
 * io.eventbus.EventBus} that is given the transport owns it and closes it; {@link #close()} stops
 * the subscriptions, waits up to the shutdown timeout for buffered and outstanding publishes, fails
 * the rest, and closes both connections.
 *
 * <h2>Failures</h2>
 *
 * {@link Builder#build()} throws {@link EventBusConfigurationException} naming the setting for any
 * invalid setting, before it connects, and {@link EventBusException} if no broker can be reached at
 * first ({@link TlsVerificationException}, with its reason, when TLS verification failed). Later,
 * while a lost connection is being re-opened, a refused login or a failed TLS verification is
 * logged at WARN in the same words (at most once a minute per connection) and is the reason of that
 * connection's {@link #health()} component. A publish that is not confirmed within its deadline
 * fails with {@link io.eventbus.PublishNotConfirmedException}; a nacked one is retried and then
 * fails the same way; an unroutable one (no queue bound for its type) completes normally and is
 * counted by type (status, health details, metric, a WARN for the first of each type), or fails
 * with {@link io.eventbus.UnroutableEventException} with {@link
 * PublisherSettings#failUnroutable()}, unless a subscription of this transport is bound for its
 * type: then its binding or queue is missing (deleted, or an exchange declared again without them),
 * so the exchange and the subscriptions' queues and bindings are declared again and the event is
 * sent again, up to twice, before that rule applies; one over {@link
 * PublisherSettings#maxMessageBytes()} or whose headers do not fit the broker's frame fails at once
 * with {@link io.eventbus.EventTooLargeException}; one the broker refuses for good (it closes the
 * channel) fails alone with {@link io.eventbus.PublishRefusedException}. A delivery over {@link
 * Builder#maxInboundMessageBytes} is parked as {@code too-large}; nothing a message or the broker
 * does stops the transport's threads (see docs/architecture.md, "Hostile input"). {@link
 * #subscribe} and {@link #deadLetters} on a closed transport throw {@link IllegalStateException}: a
 * lifecycle error, not a configuration one. Passwords never appear in logs, exceptions or
 * connection names.
 */
public final class RabbitTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(RabbitTransport.class);

  private final RabbitTopology topology;
  private final PublisherSettings publisherSettings;
  private final Duration shutdownTimeout;
  private final TopologyDeclarer declarer;
  private final TransportThreads threads = new TransportThreads();
  private final ThreadSupervisor threadSupervisor = new ThreadSupervisor(threads.scheduler());
  private final ConnectionSupervisor publishing;
  private final ConnectionSupervisor consuming;
  private final ConfirmingPublisher publisher;
  private final TransportHealth health;
  private final Subscriptions subscriptions;
  private final RabbitRequester requester;
  private final List<RabbitResponders> responders = new CopyOnWriteArrayList<>();
  private final List<RabbitMetrics> metrics = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private RabbitTransport(
      ConnectionSettings connection,
      RabbitTopology topology,
      PublisherSettings publisherSettings,
      boolean connectInBackground) {
    this.topology = topology;
    this.publisherSettings = publisherSettings;
    this.shutdownTimeout = connection.shutdownTimeout();
    this.declarer = new TopologyDeclarer(topology);
    ConnectionFactory factory = connection.connectionFactory();
    List<Address> addresses = connection.addresses();
    this.publishing =
        new ConnectionSupervisor(
            factory,
            addresses,
            connection.connectionName() + "-publish",
            connection.redactedUris(),
            null,
            threads.scheduler(),
            connection.recoveryInterval());
    this.consuming =
        new ConnectionSupervisor(
            factory,
            addresses,
            connection.connectionName() + "-consume",
            connection.redactedUris(),
            threads.dispatch(),
            threads.scheduler(),
            connection.recoveryInterval());
    this.publisher =
        ConfirmingPublisher.create(
            publishing,
            publisherSettings,
            threads.scheduler(),
            threads.completions(),
            threads.publisherThreads(),
            threadSupervisor,
            this::refused,
            OwnTopology.of(this::ownBinding, this::redeclareOwnTopology),
            threads.topology());
    this.health =
        new TransportHealth(publishing, consuming, publisher, publisherSettings, threadSupervisor);
    this.subscriptions =
        new Subscriptions(
            topology,
            declarer,
            consuming,
            publisher,
            threads.scheduler(),
            threads.health(),
            publisherSettings.timeout(),
            shutdownTimeout,
            connection.maxInboundMessageBytes());
    this.requester =
        new RabbitRequester(
            publishing,
            declarer,
            topology.requestExchange(),
            threads.scheduler(),
            new DaemonThreads("requester"));
    publishing.addListener(publisher);
    publishing.addListener(requester);
    consuming.addListener(declarer::declareExchange);
    if (!connectInBackground) {
      try {
        consuming.connect();
        publishing.connect();
      } catch (IOException | TimeoutException | RuntimeException e) {
        publisher.close(Duration.ZERO);
        consuming.close();
        publishing.close();
        threads.shutdown();
        // TLS verification failures become TlsVerificationException.
        throw ConnectionSecurity.connectFailure(connection.redactedUris(), e);
      }
    }
    publisher.start();
    requester.start();
    threads
        .health()
        .scheduleWithFixedDelay(
            threadSupervisor.periodic("the queue depth sampler", subscriptions::sample),
            0,
            connection.healthCheckInterval().toNanos(),
            TimeUnit.NANOSECONDS);
    if (connectInBackground) {
      // After the publisher and the sampler started, as after a lost connection; publishing
      // only once the exchange and the subscriptions made meanwhile are declared, as build()
      // does when it connects at once, so that no event buffered meanwhile goes unrouted.
      consuming.connectInBackground(() -> publishing.connectInBackground(() -> {}));
      log.info(
          "Connecting in the background to {} as {}",
          connection.redactedUris(),
          connection.connectionName());
    } else {
      log.info("Connected to {} as {}", connection.redactedUris(), connection.connectionName());
    }
  }

  /** A builder for a transport. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The broker refused a publish: a 404 means the exchange (and with it every binding) is gone, so
   * the exchange and every subscription's queues and bindings are declared again before the refused
   * events are sent again. This runs on the publisher's sender thread, which waits for it (each
   * declaration is bound by the connect timeout): nothing could be sent meanwhile anyway.
   */
  private void refused(int replyCode, String replyText) {
    if (replyCode != 404 || closed.get()) {
      return;
    }
    redeclareTopology(replyCode + " " + replyText, true);
  }

  /**
   * Whether one of this transport's open subscriptions binds {@code exchange} for {@code
   * routingKey}: then an event the broker returned as unroutable found a gap in the topology. Asked
   * on the publishing connection's I/O thread, for returned events only; never blocks.
   */
  private boolean ownBinding(String exchange, String routingKey) {
    return exchange.equals(topology.exchange()) && subscriptions.binds(routingKey);
  }

  /**
   * Declares the exchange and every subscription's queues and bindings again, because the broker
   * returned events an own subscription is bound for. On the publisher's declaring thread ({@code
   * eventbus-topology-1}); the publisher logs what it sends again.
   */
  private void redeclareOwnTopology() {
    if (!closed.get()) {
      redeclareTopology("returned events a subscription of this transport is bound for", false);
    }
  }

  /** Declares the exchange and every subscription's queues and bindings again; logs failures. */
  private void redeclareTopology(String why, boolean warn) {
    try {
      Connection connection = publishing.connection();
      if (connection != null) {
        declarer.declareExchange(connection);
        if (warn) {
          log.warn(
              "Declared the exchange {} again after the broker said: {}", topology.exchange(), why);
        } else {
          log.info("Declared the exchange {} again after {}", topology.exchange(), why);
        }
      }
      subscriptions.redeclareAll();
    } catch (RuntimeException e) {
      log.warn("Could not declare the topology again after {}: {}", why, Exceptions.describe(e));
    }
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

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if the transport is closed
   */
  @Override
  public TransportSubscription subscribe(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(receiver, "receiver");
    requireOpen();
    return subscriptions.open(spec, receiver);
  }

  /**
   * Publishes the request (mandatory, non-persistent, {@code expiration} = the timeout) to the
   * topology's {@link RabbitTopology#requestExchange() request exchange} with its type as routing
   * key and {@code reply_to} = direct reply-to, on a channel of the publishing connection, and
   * completes with the reply whose {@code correlation_id} is the request's {@code message_id}. No
   * queue bound: fails at once ({@link io.eventbus.RequestException.Reason#NO_RESPONDER}); the
   * connection lost after sending: at once ({@link
   * io.eventbus.RequestException.Reason#CONNECTION_LOST}), never re-sent; no reply: at the timeout.
   * A request not yet sent waits for the connection within its timeout.
   */
  @Override
  public CompletionStage<WireMessage> request(OutboundMessage request, Duration timeout) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(timeout, "timeout");
    return requester.request(request, timeout);
  }

  /**
   * Declares the responders' request queue ({@link RabbitTopology#requestQueue}: classic,
   * non-durable, auto-delete, bound to the request exchange by each type) and consumes it with
   * {@code spec.concurrency()} channels on the consuming connection; replies go out on the channel
   * that delivered the request.
   *
   * @throws IllegalStateException if the transport is closed
   */
  @Override
  public TransportSubscription respond(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(receiver, "receiver");
    requireOpen();
    RabbitResponders answering =
        new RabbitResponders(
            spec,
            topology.requestQueue(spec.name()),
            declarer,
            consuming,
            threads.scheduler(),
            shutdownTimeout,
            receiver);
    answering.start();
    responders.add(answering);
    return new TransportSubscription() {
      @Override
      public void close() {
        responders.remove(answering);
        answering.close();
      }

      @Override
      public Health.Component health() {
        return answering.health();
      }
    };
  }

  /** System {@code rabbitmq}, the topology's exchange, and RabbitMQ's routing-key attribute. */
  @Override
  public TelemetryNames telemetryNames() {
    return new TelemetryNames("rabbitmq", topology.exchange(), BrokerHeaders.ROUTING_KEY_ATTRIBUTE);
  }

  /** Registers the metrics listed in the class description; they end with {@link #close()}. */
  @Override
  public void instrument(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    if (!closed.get()) {
      metrics.add(new RabbitMetrics(openTelemetry, publisher, publishing, consuming));
    }
  }

  /**
   * Components {@code connection:publish} and {@code connection:consume} (connected: up; blocked by
   * a resource alarm: degraded; recovering or closed: down) and {@code publisher} (degraded when
   * its buffer is at least 90% full), with the figures of {@link #status()} as details. Never waits
   * for the broker.
   */
  @Override
  public Health health() {
    return health.health(closed.get());
  }

  /** A snapshot of connections, buffers and counters; cheap, safe to call often. */
  public TransportStatus status() {
    return health.status();
  }

  /**
   * The dead-letter queue of {@code subscription}, to count, look at, replay or discard its parked
   * events.
   *
   * @throws IllegalStateException if the transport is closed
   */
  public RabbitDeadLetters deadLetters(String subscription) {
    Objects.requireNonNull(subscription, "subscription");
    requireOpen();
    return new RabbitDeadLetters(
        subscription,
        topology.deadLetterQueue(subscription),
        consuming,
        publisher,
        publisherSettings.timeout());
  }

  /**
   * The figures of {@code queue} now (ready messages and consumers), from a passive declare on a
   * channel of its own on the consuming connection; empty if the broker has no such queue. One
   * round trip; for tools and diagnostics. The names of a subscription's queues come from {@link
   * RabbitTopology} ({@link RabbitTopology#deadLetterQueue}, {@link
   * RabbitTopology#partitionQueue}).
   *
   * @throws IllegalStateException if the transport is closed
   * @throws EventBusException if the broker cannot be asked now (the consuming connection is
   *     recovering, or the broker does not answer)
   */
  public Optional<QueueStatus> queueStatus(String queue) {
    Objects.requireNonNull(queue, "queue");
    requireOpen();
    return QueueProbe.status(consuming, queue);
  }

  /**
   * Deletes what the topology declares for the subscription named {@code name}, whatever its
   * ordering, with the default redelivery delays: its queue and partition queues, its dead-letter
   * queue (and the events parked there), its retry queues and a partitioned one's two exchanges.
   * Queues and exchanges that do not exist are skipped; nothing else is touched (not the bus's
   * exchange, not other subscriptions' queues). For a subscription with its own redelivery delays,
   * use {@link #deleteSubscription(SubscriptionOptions)}.
   *
   * <pre>{@code
   * List<String> deleted = transport.deleteSubscription("shipping");
   * // [shipping.dlq, shipping, shipping.retry.1000, ..., shipping.p0, ..., shipping.partitions, ...]
   * }</pre>
   *
   * @return the names of the queues and exchanges deleted, queues first
   * @throws IllegalStateException if the subscription is open on this transport, or any of its
   *     queues has consumers (an instance elsewhere runs it): then nothing is deleted; or if the
   *     transport is closed
   * @throws EventBusException if the broker cannot be asked now (the consuming connection is
   *     recovering) or refuses a deletion
   */
  public List<String> deleteSubscription(String name) {
    Objects.requireNonNull(name, "name");
    return deleteSubscription(SubscriptionOptions.named(name), true);
  }

  /**
   * Deletes what the topology declares for a subscription with {@code options}: its queue (or, if
   * partitioned, its partition queues and two exchanges), its dead-letter queue and one retry queue
   * per redelivery delay of {@code options}. As {@link #deleteSubscription(String)} otherwise.
   *
   * @throws IllegalStateException as {@link #deleteSubscription(String)}
   * @throws EventBusException as {@link #deleteSubscription(String)}
   */
  public List<String> deleteSubscription(SubscriptionOptions options) {
    Objects.requireNonNull(options, "options");
    return deleteSubscription(options, false);
  }

  private List<String> deleteSubscription(SubscriptionOptions options, boolean anyOrdering) {
    requireOpen();
    if (subscriptions.isOpen(options.name())) {
      throw new IllegalStateException(
          "Subscription "
              + options.name()
              + " is running on this transport: close it before deleting its queues");
    }
    List<String> deleted =
        new SubscriptionRemoval(topology, consuming).delete(options, anyOrdering);
    log.info("Deleted the topology of subscription {}: {}", options.name(), deleted);
    return deleted;
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("The transport is closed");
    }
  }

  /**
   * Stops the subscriptions (handlers in flight finish), waits up to the shutdown timeout for
   * buffered and outstanding publishes to be confirmed and fails the rest, then closes both
   * connections. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    responders.forEach(RabbitResponders::close);
    subscriptions.closeAll();
    requester.close();
    publisher.close(shutdownTimeout);
    metrics.forEach(RabbitMetrics::close);
    threads.stopHealth();
    consuming.close();
    publishing.close();
    threads.shutdown();
  }

  /**
   * Collects the transport's settings; {@link #build()} validates them once and connects. Not
   * thread-safe.
   *
   * <p>Connection settings are set here; publishing and topology come as values of their own
   * ({@link PublisherSettings}, {@link RabbitTopology}). A null argument throws {@link
   * NullPointerException}; an invalid value throws {@link EventBusConfigurationException} from
   * {@link #build()}, naming the setting.
   */
  public static final class Builder {
    private final List<String> uris = new ArrayList<>();
    private @Nullable String connectionName;
    private @Nullable String applicationName;
    private RabbitTopology topology = RabbitTopology.defaults();
    private PublisherSettings publisher = PublisherSettings.defaults();
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration heartbeat = Duration.ofSeconds(20);
    private Duration recoveryInterval = Duration.ofSeconds(5);
    private Duration healthCheckInterval = Duration.ofSeconds(5);
    private int maxInboundMessageBytes = 16 * 1024 * 1024;
    private @Nullable TlsSettings tls;
    private @Nullable CredentialsSource credentials;
    private boolean connectInBackground;

    private Builder() {}

    /**
     * Adds a broker to connect to, as an AMQP URI ({@code amqp://user:pass@host:5672/vhost}, or
     * {@code amqps://} for TLS with certificate verification). With several, the first reachable
     * one is used; credentials, virtual host and TLS come from the first. Default: {@code
     * amqp://localhost:5672}.
     */
    public Builder uri(String uri) {
      uris.add(Objects.requireNonNull(uri, "uri"));
      return this;
    }

    /**
     * The application's name, from which the connections' names derive: {@code
     * <applicationName>-publish} and {@code <applicationName>-consume}, as the broker lists them
     * ({@code rabbitmqctl list_connections client_properties}, the management UI). Default: the
     * system property {@code eventbus.application}, else the environment variable {@code
     * EVENTBUS_APPLICATION}, else the host name (see {@link
     * io.eventbus.spi.TransportSettings#defaultApplicationName()}). {@link #connectionName}, if
     * set, takes precedence.
     */
    public Builder applicationName(String applicationName) {
      this.applicationName = Objects.requireNonNull(applicationName, "applicationName");
      return this;
    }

    /**
     * The connections' name exactly, suffixed with {@code -publish} and {@code -consume}; overrides
     * {@link #applicationName} (default: unset, so the application's name is used).
     */
    public Builder connectionName(String connectionName) {
      this.connectionName = Objects.requireNonNull(connectionName, "connectionName");
      return this;
    }

    /** What to declare on the broker (default {@link RabbitTopology#defaults()}). */
    public Builder topology(RabbitTopology topology) {
      this.topology = Objects.requireNonNull(topology, "topology");
      return this;
    }

    /**
     * Deadlines, buffer bounds and refusal handling of publishing (default {@link
     * PublisherSettings#defaults()}); the publish timeout is {@link PublisherSettings#timeout()}.
     */
    public Builder publisher(PublisherSettings publisher) {
      this.publisher = Objects.requireNonNull(publisher, "publisher");
      return this;
    }

    /**
     * How often the client and broker check that an idle connection is alive (default 20 s, at most
     * 65,535 s); a connection silent for about twice this long counts as lost and is recovered.
     */
    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
      return this;
    }

    /** The longest wait between two reconnection attempts (default 5 s); the first is 100 ms. */
    public Builder recoveryInterval(Duration recoveryInterval) {
      this.recoveryInterval = Objects.requireNonNull(recoveryInterval, "recoveryInterval");
      return this;
    }

    /** How long close waits for handlers in flight and for outstanding confirms (default 30 s). */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
      return this;
    }

    /**
     * How often a background thread reads the depth of each subscription's queues for {@link
     * #health()} (default 5 s): one passive declare per queue. A stall is noticed within the
     * subscription's stall timeout plus this interval.
     */
    public Builder healthCheckInterval(Duration healthCheckInterval) {
      this.healthCheckInterval = Objects.requireNonNull(healthCheckInterval, "healthCheckInterval");
      return this;
    }

    /**
     * How to talk TLS to the broker: trusted certificates, a client certificate. Needs an {@code
     * amqps://} URI (else {@link #build()} throws {@link EventBusConfigurationException} naming
     * {@code RabbitTransport.Builder.tls}); without it, an {@code amqps://} URI trusts what the JDK
     * trusts ({@link TlsSettings#defaults()}). The broker's certificate and host name are always
     * checked unless the settings say {@link TlsSettings.Builder#insecureTrustAllCertificates()
     * insecure}.
     */
    public Builder tls(TlsSettings tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Where the user name and password (or token) come from, fetched for every new connection and
     * renewed on open connections before they expire (see {@link CredentialsSource}). The first URI
     * must then have no user info (else {@link #build()} throws {@link
     * EventBusConfigurationException} naming {@code RabbitTransport.Builder.credentials}).
     */
    public Builder credentials(CredentialsSource credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * How long connecting to one broker may take (default 10 s); also the limit of its handshake
     * and of each channel call.
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * The largest message body a subscription accepts (default 16 MiB; 1 KiB to 128 MiB). A larger
     * delivery is parked in the subscription's dead-letter queue with reason {@code too-large},
     * without being decoded; the consumer and its connection carry on. The event codec's own limit
     * ({@code JacksonEventCodec.Builder.maxBodyBytes}, 4 MiB by default) applies to what passes
     * this one. Keep the broker's {@code max_message_size} low too: a body is read into memory in
     * full before it can be judged.
     */
    public Builder maxInboundMessageBytes(int maxInboundMessageBytes) {
      this.maxInboundMessageBytes = maxInboundMessageBytes;
      return this;
    }

    /**
     * Whether {@link #build()} returns without waiting for a broker (default false: it connects and
     * fails if no broker answers). When true, for a container that may start before its broker,
     * both connections are opened in the background with the reconnection back-off ({@link
     * #recoveryInterval}), exactly as after a lost connection: {@link #health()} is down (each
     * connection component says why the last attempt failed) until they are up; publishes wait in
     * the publisher's buffer within their deadlines; subscriptions made meanwhile declare their
     * queues and start consuming once the consuming connection is up. A refused login or a failed
     * TLS verification is then not thrown but logged at WARN (at most once a minute per connection)
     * and given as the connection's health reason. Invalid settings still fail {@link #build()}.
     */
    public Builder connectInBackground(boolean connectInBackground) {
      this.connectInBackground = connectInBackground;
      return this;
    }

    /**
     * Validates the settings, connects to the first reachable broker and declares the exchange;
     * with {@link #connectInBackground connectInBackground(true)}, only validates and starts
     * connecting.
     *
     * @throws EventBusConfigurationException naming the first invalid setting, before connecting
     * @throws TlsVerificationException if the broker's certificate (or ours) fails verification
     *     (not in the background)
     * @throws EventBusException if no broker could be reached (not in the background)
     */
    public RabbitTransport build() {
      return new RabbitTransport(settings(), topology, publisher, connectInBackground);
    }

    /** The validated connection settings. */
    ConnectionSettings settings() {
      for (String[] name :
          new String[][] {
            {"applicationName", applicationName}, {"connectionName", connectionName}
          }) {
        if (name[1] != null && (name[1].isBlank() || name[1].length() > 200)) {
          throw new EventBusConfigurationException(
              "RabbitTransport.Builder."
                  + name[0]
                  + " must be 1 to 200 characters and not blank, was '"
                  + io.eventbus.spi.SafeText.of(name[1])
                  + "'");
        }
      }
      return new ConnectionSettings(
          uris.isEmpty() ? List.of("amqp://localhost:5672") : uris,
          connectionName != null
              ? connectionName
              : applicationName != null
                  ? applicationName
                  : io.eventbus.spi.TransportSettings.defaultApplicationName(),
          connectTimeout,
          heartbeat,
          recoveryInterval,
          shutdownTimeout,
          healthCheckInterval,
          maxInboundMessageBytes,
          tls,
          credentials);
    }
  }
}
