package io.eventbus.rabbitmq;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.Health;
import io.eventbus.rabbitmq.internal.AmqpMapping;
import io.eventbus.rabbitmq.internal.ConfirmingPublisher;
import io.eventbus.rabbitmq.internal.ConnectionSupervisor;
import io.eventbus.rabbitmq.internal.DaemonThreads;
import io.eventbus.rabbitmq.internal.QueueSampler;
import io.eventbus.rabbitmq.internal.RabbitMetrics;
import io.eventbus.rabbitmq.internal.RabbitSubscription;
import io.eventbus.rabbitmq.internal.Redaction;
import io.eventbus.rabbitmq.internal.TopologyDeclarer;
import io.eventbus.rabbitmq.internal.security.ConnectionSecurity;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TelemetryNames;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportSubscription;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 *     .connectionName("orders")
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
 * {@code eventbus.publisher.nack_retries}, {@code eventbus.publisher.unroutable_accepted}, {@code
 * eventbus.connection.state}, {@code eventbus.connection.blocked.time} and {@code
 * eventbus.connection.recoveries}. {@link #health()} reports both connections and the publisher;
 * each subscription reports its consumers and whether it is stalled, from queue depths a health
 * thread samples every {@link Builder#healthCheckInterval health check interval} with a passive
 * declare on the consuming connection.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link Builder#build()} connects and declares the exchange. The {@link io.eventbus.EventBus} that
 * is given the transport owns it and closes it; {@link #close()} stops the subscriptions, waits up
 * to the shutdown timeout for buffered and outstanding publishes, fails the rest, and closes both
 * connections.
 *
 * <h2>Failures</h2>
 *
 * {@link Builder#build()} throws {@link EventBusException} if no broker can be reached at first. A
 * publish that is not confirmed within its deadline fails with {@link
 * io.eventbus.PublishNotConfirmedException}; a nacked one is retried and then fails the same way;
 * an unroutable one fails with {@link io.eventbus.UnroutableEventException}. Passwords never appear
 * in logs, exceptions or connection names.
 */
public final class RabbitTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(RabbitTransport.class);

  private final RabbitTopology topology;
  private final PublisherSettings publisherSettings;
  private final Duration shutdownTimeout;
  private final TopologyDeclarer declarer;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(new DaemonThreads("scheduler"));
  private final ExecutorService completions =
      Executors.newSingleThreadExecutor(new DaemonThreads("confirms"));
  private final ExecutorService dispatch =
      Executors.newCachedThreadPool(new DaemonThreads("consumer"));
  private final ScheduledExecutorService healthThread =
      Executors.newSingleThreadScheduledExecutor(new DaemonThreads("health"));
  private final QueueSampler sampler;
  private final List<RabbitMetrics> metrics = new CopyOnWriteArrayList<>();
  private final ConnectionSupervisor publishing;
  private final ConnectionSupervisor consuming;
  private final ConfirmingPublisher publisher;
  private final List<RabbitSubscription> subscriptions = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private RabbitTransport(Builder builder) {
    this.topology = builder.topology;
    this.publisherSettings = builder.publisher;
    this.shutdownTimeout = builder.shutdownTimeout;
    this.declarer = new TopologyDeclarer(topology);
    ConnectionFactory factory = builder.connectionFactory();
    List<Address> addresses = builder.addresses();
    String where = builder.redactedUris();
    this.publishing =
        new ConnectionSupervisor(
            factory,
            addresses,
            builder.connectionName + "-publish",
            null,
            scheduler,
            builder.recoveryInterval);
    this.consuming =
        new ConnectionSupervisor(
            factory,
            addresses,
            builder.connectionName + "-consume",
            dispatch,
            scheduler,
            builder.recoveryInterval);
    this.publisher = new ConfirmingPublisher(publishing, publisherSettings, scheduler, completions);
    this.sampler = new QueueSampler(consuming);
    publishing.addListener(publisher);
    consuming.addListener(declarer::declareExchange);
    try {
      consuming.connect();
      publishing.connect();
    } catch (IOException | TimeoutException | RuntimeException e) {
      publisher.close(Duration.ZERO);
      consuming.close();
      publishing.close();
      shutdownExecutors();
      // Security hook: TLS verification failures become TlsVerificationException.
      throw ConnectionSecurity.connectFailure(where, e);
    }
    healthThread.scheduleWithFixedDelay(
        this::sampleQueues, 0, builder.healthCheckInterval.toNanos(), TimeUnit.NANOSECONDS);
    log.info("Connected to {} as {}", where, builder.connectionName);
  }

  private void sampleQueues() {
    try {
      for (RabbitSubscription subscription : subscriptions) {
        subscription.sample(sampler);
      }
    } catch (RuntimeException e) {
      log.debug("Sampling queue depths failed", e);
    }
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
    Map<Duration, String> retryQueues = new HashMap<>();
    spec.redeliveryDelays()
        .forEach(delay -> retryQueues.put(delay, topology.retryQueue(spec.name(), delay)));
    RabbitSubscription subscription =
        new RabbitSubscription(
            spec,
            declarer.consumedQueues(spec),
            retryQueues,
            topology.deadLetterQueue(spec.name()),
            declarer,
            consuming,
            publisher,
            scheduler,
            publisherSettings.timeout(),
            shutdownTimeout,
            receiver);
    subscription.start();
    subscriptions.add(subscription);
    healthThread.execute(() -> subscription.sample(sampler));
    return new TransportSubscription() {
      @Override
      public void close() {
        subscriptions.remove(subscription);
        subscription.close();
      }

      @Override
      public Health.Component health() {
        return subscription.health();
      }
    };
  }

  /** System {@code rabbitmq}, and the topology's exchange. */
  @Override
  public TelemetryNames telemetryNames() {
    return new TelemetryNames("rabbitmq", topology.exchange());
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
    return Health.of(
        List.of(
            connectionHealth("connection:publish", publishing),
            connectionHealth("connection:consume", consuming),
            publisherHealth()));
  }

  private static Health.Component connectionHealth(String name, ConnectionSupervisor supervisor) {
    ConnectionState state = supervisor.state();
    Duration since = supervisor.inStateFor();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("state", state.name());
    details.put("inStateFor", since);
    String peer = supervisor.peer();
    if (peer != null) {
      details.put("broker", peer);
    }
    details.put("recoveries", supervisor.recoveries());
    details.put("blockedTime", supervisor.blockedTime());
    return switch (state) {
      case CONNECTED -> new Health.Component(name, Health.Status.UP, "", details);
      case BLOCKED ->
          new Health.Component(
              name,
              Health.Status.DEGRADED,
              "blocked by the broker (resource alarm) for " + since.toMillis() + " ms",
              details);
      case RECOVERING ->
          new Health.Component(
              name,
              Health.Status.DOWN,
              "connection lost " + since.toMillis() + " ms ago; reconnecting",
              details);
      case CLOSED -> new Health.Component(name, Health.Status.DOWN, "closed", details);
    };
  }

  private Health.Component publisherHealth() {
    int buffered = publisher.bufferedEvents();
    long bytes = publisher.bufferedBytes();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("bufferedEvents", buffered);
    details.put("bufferedBytes", bytes);
    details.put("outstandingConfirms", publisher.outstandingConfirms());
    details.put("resentAfterRecovery", publisher.resentAfterRecovery());
    details.put("nackRetries", publisher.nackRetries());
    details.put("unroutableAccepted", publisher.unroutableAccepted());
    if (closed.get()) {
      return new Health.Component("publisher", Health.Status.DOWN, "closed", details);
    }
    if (buffered >= publisherSettings.maxBufferedEvents() * 0.9
        || bytes >= publisherSettings.maxBufferedBytes() * 0.9) {
      return new Health.Component(
          "publisher",
          Health.Status.DEGRADED,
          "the publish buffer is nearly full: "
              + buffered
              + " events, "
              + bytes
              + " bytes; further publishes will fail",
          details);
    }
    return new Health.Component("publisher", Health.Status.UP, "", details);
  }

  /** A snapshot of connections, buffers and counters; cheap, safe to call often. */
  public TransportStatus status() {
    return new TransportStatus(
        publishing.state(),
        consuming.state(),
        publisher.bufferedEvents(),
        publisher.bufferedBytes(),
        publisher.outstandingConfirms(),
        publisher.resentAfterRecovery(),
        publisher.nackRetries(),
        publisher.unroutableAccepted(),
        publishing.recoveries() + consuming.recoveries());
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
        subscription,
        topology.deadLetterQueue(subscription),
        consuming,
        publisher,
        publisherSettings.timeout());
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
    for (RabbitSubscription subscription : subscriptions) {
      subscription.close();
    }
    publisher.close(shutdownTimeout);
    metrics.forEach(RabbitMetrics::close);
    healthThread.shutdownNow();
    consuming.close();
    publishing.close();
    shutdownExecutors();
  }

  private void shutdownExecutors() {
    healthThread.shutdownNow();
    scheduler.shutdownNow();
    completions.shutdown();
    dispatch.shutdown();
  }

  /** Collects the transport's settings; {@link #build()} connects. Not thread-safe. */
  public static final class Builder {
    private final List<URI> uris = new ArrayList<>();
    private String connectionName = "eventbus";
    private RabbitTopology topology = RabbitTopology.defaults();
    private PublisherSettings publisher = PublisherSettings.defaults();
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration heartbeat = Duration.ofSeconds(20);
    private Duration recoveryInterval = Duration.ofSeconds(5);
    private Duration healthCheckInterval = Duration.ofSeconds(5);
    private @Nullable TlsSettings tls;
    private @Nullable CredentialsSource credentials;

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

    /**
     * Deadlines, buffer bounds and refusal handling of publishing (default {@link
     * PublisherSettings#defaults()}).
     */
    public Builder publisher(PublisherSettings publisher) {
      this.publisher = Objects.requireNonNull(publisher, "publisher");
      return this;
    }

    /** Shorthand for {@code publisher(settings.withTimeout(publishTimeout))}. */
    public Builder publishTimeout(Duration publishTimeout) {
      this.publisher = publisher.withTimeout(positive(publishTimeout, "publishTimeout"));
      return this;
    }

    /**
     * How often the client and broker check that an idle connection is alive (default 20 s); a
     * connection silent for about twice this long counts as lost and is recovered.
     */
    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = positive(heartbeat, "heartbeat");
      return this;
    }

    /** The longest wait between two reconnection attempts (default 5 s); the first is 100 ms. */
    public Builder recoveryInterval(Duration recoveryInterval) {
      this.recoveryInterval = positive(recoveryInterval, "recoveryInterval");
      return this;
    }

    /** How long close waits for handlers in flight and for outstanding confirms (default 30 s). */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = positive(shutdownTimeout, "shutdownTimeout");
      return this;
    }

    /**
     * How often a background thread reads the depth of each subscription's queues for {@link
     * #health()} (default 5 s): one passive declare per queue. A stall is noticed within the
     * subscription's stall timeout plus this interval.
     */
    public Builder healthCheckInterval(Duration healthCheckInterval) {
      this.healthCheckInterval = positive(healthCheckInterval, "healthCheckInterval");
      return this;
    }

    /** How long connecting to one broker may take (default 10 s). */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    // Security hooks: the two settings below, and one call in connectionFactory().

    /**
     * How to talk TLS to the broker: trusted certificates, a client certificate. Needs an {@code
     * amqps://} URI; without it, an {@code amqps://} URI trusts what the JDK trusts ({@link
     * TlsSettings#defaults()}). The broker's certificate and host name are always checked unless
     * the settings say {@link TlsSettings.Builder#insecureTrustAllCertificates() insecure}.
     */
    public Builder tls(TlsSettings tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Where the user name and password (or token) come from, fetched for every new connection and
     * renewed on open connections before they expire (see {@link CredentialsSource}). The URIs must
     * then have no user info.
     */
    public Builder credentials(CredentialsSource credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * Connects to the first reachable broker and declares the exchange.
     *
     * @throws TlsVerificationException if the broker's certificate (or ours) fails verification
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
      factory.setRequestedHeartbeat((int) Math.max(1, heartbeat.toSeconds()));
      ConnectionSecurity.configure(factory, uris.get(0), tls, credentials);
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
