package io.eventbus.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The settings under {@code eventbus.*}: which transport, the RabbitMQ connection, topology and
 * publisher, and the options of each subscription.
 *
 * <pre>{@code
 * eventbus.rabbitmq.uri=amqp://orders:secret@rabbit:5672/prod
 * eventbus.rabbitmq.exchange=orders
 * eventbus.subscriptions.shipping.concurrency=4
 * eventbus.subscriptions.shipping.redelivery-delays=1s,30s,5m
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Immutable.
 *
 * @param transport Where events travel: rabbitmq (the default) or in-memory (the in-memory
 *     transport, for tests and demos; needs eventbus-inmemory on the class path, which
 *     eventbus-testkit brings).
 * @param source The CloudEvents source of published events (default "/" followed by
 *     spring.application.name, or "/eventbus" without one).
 * @param scanEventTypes Whether the classes annotated with EventType under the application's
 *     packages (those of its SpringBootApplication) are registered with the bus, so that events it
 *     only publishes need no registration.
 * @param defaultSubscription The subscription of handler beans whose class has no EventSubscription
 *     annotation (default spring.application.name).
 * @param rabbitmq The RabbitMQ transport's settings.
 * @param subscriptions Options of subscriptions by name; they override those of the
 *     EventSubscription annotation.
 * @param jdbc Where the outbox and inbox tables are (with eventbus-jdbc and a DataSource).
 * @param outbox The transactional outbox (with eventbus-jdbc and a DataSource).
 * @param inbox The inbox of idempotent subscriptions (with eventbus-jdbc and a DataSource).
 */
@ConfigurationProperties("eventbus")
public record EventBusProperties(
    @DefaultValue("rabbitmq") TransportKind transport,
    @Nullable String source,
    @DefaultValue("true") boolean scanEventTypes,
    @Nullable String defaultSubscription,
    @DefaultValue Rabbitmq rabbitmq,
    Map<String, Subscription> subscriptions,
    @DefaultValue Jdbc jdbc,
    @DefaultValue Outbox outbox,
    @DefaultValue Inbox inbox) {

  /** Replaces a missing map with an empty one. */
  public EventBusProperties {
    subscriptions = subscriptions == null ? Map.of() : Map.copyOf(subscriptions);
  }

  /** Where events travel. */
  public enum TransportKind {
    /** The RabbitMQ transport of eventbus-rabbitmq. */
    RABBITMQ,
    /** eventbus-inmemory's {@code InMemoryTransport}: for tests and demos, never for production. */
    IN_MEMORY
  }

  /** The kinds of queue the RabbitMQ transport declares. */
  public enum QueueType {
    /** Replicated quorum queues (the default). */
    QUORUM,
    /** Classic durable queues. */
    CLASSIC
  }

  /**
   * The RabbitMQ transport's settings.
   *
   * @param uri The broker's AMQP URI, amqp://user:pass@host:port/vhost, or amqps:// for TLS with
   *     certificate verification (default amqp://localhost:5672, as guest); the password is never
   *     logged.
   * @param username The user name to connect as, with password or password-file; the URI must then
   *     have no user info.
   * @param password The password of username (better: password-file, or the environment variable
   *     EVENTBUS_RABBITMQ_PASSWORD); never logged or shown.
   * @param passwordFile A file holding the password of username (UTF-8, a trailing line break
   *     ignored), read again for every new connection, so that a rotated password is used from the
   *     next reconnection on.
   * @param ssl TLS (with an amqps:// URI): which SSL bundle of spring.ssl.bundle.* to trust and
   *     show.
   * @param maxInboundMessageBytes The largest message body a subscription accepts (1KB to 128MB); a
   *     larger delivery is parked in the dead-letter queue with reason too-large.
   * @param failoverUris Further brokers to try in order when the first cannot be reached (their
   *     credentials and virtual host are those of uri).
   * @param connectionName The name both connections show in the management UI, suffixed with
   *     -publish and -consume (default spring.application.name, or eventbus).
   * @param exchange The topic exchange every event is published to.
   * @param queueType The type of the subscription and dead-letter queues.
   * @param deliveryLimit How often a quorum queue delivers a message before the broker parks it by
   *     itself (the last line of defence against a message that kills its consumer).
   * @param partitions How many partition queues a partitioned subscription has; the same on every
   *     service of a bus.
   * @param heartbeat How often client and broker check an idle connection.
   * @param connectTimeout How long connecting to one broker may take.
   * @param recoveryInterval The longest wait between two reconnection attempts.
   * @param healthCheckInterval How often queue depths are sampled for the health check.
   * @param shutdownTimeout How long shutdown waits for handlers in flight and for publishes to be
   *     confirmed; keep it below spring.lifecycle.timeout-per-shutdown-phase.
   * @param publisher How events are published.
   */
  public record Rabbitmq(
      @DefaultValue("amqp://localhost:5672") String uri,
      @Nullable String username,
      @Nullable String password,
      @Nullable String passwordFile,
      @DefaultValue Ssl ssl,
      List<String> failoverUris,
      @Nullable String connectionName,
      @DefaultValue("eventbus") String exchange,
      @DefaultValue("quorum") QueueType queueType,
      @DefaultValue("20") int deliveryLimit,
      @DefaultValue("4") int partitions,
      @DefaultValue("20s") Duration heartbeat,
      @DefaultValue("10s") Duration connectTimeout,
      @DefaultValue("5s") Duration recoveryInterval,
      @DefaultValue("5s") Duration healthCheckInterval,
      @DefaultValue("25s") Duration shutdownTimeout,
      @DefaultValue("16MB") DataSize maxInboundMessageBytes,
      @DefaultValue Publisher publisher) {

    /** Replaces a missing list with an empty one. */
    public Rabbitmq {
      failoverUris = failoverUris == null ? List.of() : List.copyOf(failoverUris);
    }

    /** The settings without any password: the URIs' passwords and {@code password} are masked. */
    @Override
    public String toString() {
      return "Rabbitmq[uri="
          + Secrets.maskUri(uri)
          + ", username="
          + username
          + ", password="
          + (password == null ? null : Secrets.MASK)
          + ", passwordFile="
          + passwordFile
          + ", ssl="
          + ssl
          + ", failoverUris="
          + failoverUris.stream().map(Secrets::maskUri).toList()
          + ", connectionName="
          + connectionName
          + ", exchange="
          + exchange
          + ", queueType="
          + queueType
          + ", deliveryLimit="
          + deliveryLimit
          + ", partitions="
          + partitions
          + ", heartbeat="
          + heartbeat
          + ", connectTimeout="
          + connectTimeout
          + ", recoveryInterval="
          + recoveryInterval
          + ", healthCheckInterval="
          + healthCheckInterval
          + ", shutdownTimeout="
          + shutdownTimeout
          + ", maxInboundMessageBytes="
          + maxInboundMessageBytes
          + ", publisher="
          + publisher
          + "]";
    }
  }

  /**
   * TLS to the broker, for an amqps:// URI. Without settings, an amqps:// URI trusts what the JDK
   * trusts and the broker's certificate and host name are verified.
   *
   * @param bundle The name of the SSL bundle (spring.ssl.bundle.jks.NAME or
   *     spring.ssl.bundle.pem.NAME) whose trust store verifies the broker and whose key store, if
   *     any, holds the client certificate for mutual TLS. The broker's host name is always checked.
   * @param insecureTrustAllCertificates INSECURE: trust any certificate for any host name, so that
   *     anyone on the network path can read and change the traffic and capture the credentials.
   *     Only for a throwaway test broker; every connection logs a warning. Cannot be combined with
   *     bundle.
   */
  public record Ssl(
      @Nullable String bundle, @DefaultValue("false") boolean insecureTrustAllCertificates) {}

  /**
   * How the RabbitMQ transport publishes.
   *
   * @param timeout The deadline of every publish, from the call to the broker's confirm.
   * @param maxBufferedEvents How many events may wait to be sent while the connection is down or
   *     blocked; one more fails at once.
   * @param maxBufferedBytes How many body bytes may wait to be sent.
   * @param maxOutstandingConfirms How many events may be sent and unconfirmed at once.
   * @param nackRetries How often an event the broker refused is sent again before it fails.
   * @param nackBackoff The first wait before such a retry; it doubles each time.
   * @param acceptUnroutable Whether an event that no queue is bound for counts as published instead
   *     of failing.
   * @param maxMessageBytes The largest event body that may be published (1B to 64MB); a larger one
   *     fails at once with EventTooLargeException, before anything is sent.
   */
  public record Publisher(
      @DefaultValue("30s") Duration timeout,
      @DefaultValue("10000") int maxBufferedEvents,
      @DefaultValue("64MB") DataSize maxBufferedBytes,
      @DefaultValue("4096") int maxOutstandingConfirms,
      @DefaultValue("3") int nackRetries,
      @DefaultValue("100ms") Duration nackBackoff,
      @DefaultValue("false") boolean acceptUnroutable,
      @DefaultValue("4MB") DataSize maxMessageBytes) {}

  /**
   * The options of one subscription; unset ones keep the value of {@code @EventSubscription} or the
   * default.
   *
   * @param concurrency How many events are handled at once (default 1).
   * @param prefetch How many unacknowledged events the broker may send to each consumer (default
   *     32).
   * @param ordering none, ordered (one at a time, in queue order) or partitioned (in order per
   *     partition key).
   * @param redeliveryDelays The delays of the redeliveries after in-process retries (default 1s,
   *     10s, 1m).
   * @param handlerTimeout The longest one handler attempt may take (default no limit).
   * @param stallTimeout How long ready messages may wait unserved before health reports the
   *     subscription as stalled (default 1m).
   * @param idempotent Whether each event is handled once however often it is delivered, by
   *     eventbus-jdbc's inbox in a Spring-managed transaction that the handler's own JDBC work
   *     joins (default: the EventSubscription annotation's idempotent attribute, else false).
   * @param retry The in-process retry policy.
   * @param circuitBreaker The circuit breaker that pauses the subscription while its handlers fail
   *     too often.
   * @param concurrencyLimit The most handlers of the subscription running at once in this process
   *     (a bulkhead, 1 to 65535), whatever the concurrency and prefetch (default no limit).
   * @param rateLimit The most events handled per period, spaced evenly.
   */
  public record Subscription(
      @Nullable Boolean idempotent,
      @Nullable Integer concurrency,
      @Nullable Integer prefetch,
      @Nullable Ordering ordering,
      @Nullable List<Duration> redeliveryDelays,
      @Nullable Duration handlerTimeout,
      @Nullable Duration stallTimeout,
      @DefaultValue Retry retry,
      @DefaultValue CircuitBreaker circuitBreaker,
      @Nullable Integer concurrencyLimit,
      @DefaultValue RateLimit rateLimit) {}

  /**
   * A subscription's circuit breaker: on when enabled is true or any other value is set, unless
   * enabled is false; unset values keep the defaults (opens at 50% failures of the last 20
   * deliveries once 10 were judged, stays open 30s, probes with 3).
   *
   * @param enabled Whether the subscription has a circuit breaker.
   * @param failureRateThreshold The failure rate, in percent, at or above which it opens.
   * @param slidingWindowSize How many of the latest deliveries the rate is computed over.
   * @param slidingWindowTime The time the rate is computed over instead (whole seconds, 1s to 1h).
   * @param minimumCalls How many deliveries the window must hold before the rate is judged.
   * @param openDuration How long the subscription stays paused before probing.
   * @param probes How many deliveries probe a half-open circuit.
   */
  public record CircuitBreaker(
      @Nullable Boolean enabled,
      @Nullable Float failureRateThreshold,
      @Nullable Integer slidingWindowSize,
      @Nullable Duration slidingWindowTime,
      @Nullable Integer minimumCalls,
      @Nullable Duration openDuration,
      @Nullable Integer probes) {

    /** Whether a breaker is wanted: enabled, or any setting given, and not disabled. */
    boolean wanted() {
      if (enabled != null) {
        return enabled;
      }
      return failureRateThreshold != null
          || slidingWindowSize != null
          || slidingWindowTime != null
          || minimumCalls != null
          || openDuration != null
          || probes != null;
    }
  }

  /**
   * A subscription's rate limit: none unless events is set.
   *
   * @param events How many events are handled per period at most (1 to 1000000).
   * @param per The period (1ms to 24h; default 1s).
   */
  public record RateLimit(@Nullable Integer events, @Nullable Duration per) {}

  /** How a subscription orders the events it handles. */
  public enum Ordering {
    /** No order. */
    NONE,
    /** Queue order, one event at a time. */
    ORDERED,
    /** Order per partition key. */
    PARTITIONED
  }

  /**
   * A subscription's in-process retry policy; unset values keep the defaults (3 attempts, 100 ms
   * doubling up to 2 s, jitter 0.5).
   *
   * @param maxAttempts Attempts in all, the first included (1: no retry).
   * @param initialBackoff The wait before the second attempt.
   * @param multiplier How much the wait grows from one attempt to the next.
   * @param maxBackoff The longest wait.
   * @param jitter How much each wait varies at random, from 0 to 1.
   */
  public record Retry(
      @Nullable Integer maxAttempts,
      @Nullable Duration initialBackoff,
      @Nullable Double multiplier,
      @Nullable Duration maxBackoff,
      @Nullable Double jitter) {}

  /**
   * Where eventbus-jdbc's tables are, for the outbox and the inbox alike.
   *
   * @param schema The schema of the tables (default the connection's current schema).
   * @param tablePrefix What the table names start with: PREFIXoutbox, PREFIXoutbox_dead,
   *     PREFIXinbox (default eventbus_).
   * @param createSchema Whether the tables are created at start when missing (default false: run
   *     the scripts in META-INF/eventbus/jdbc/postgresql/ of eventbus-jdbc with your migrations).
   */
  public record Jdbc(
      @Nullable String schema,
      @Nullable String tablePrefix,
      @DefaultValue("false") boolean createSchema) {}

  /**
   * The transactional outbox: with eventbus-jdbc and a DataSource, the injected EventPublisher
   * stores events in the outbox table in the current Spring-managed transaction, and a relay
   * publishes them once it commits. Unset values keep eventbus-jdbc's defaults.
   *
   * @param enabled Whether the outbox is set up (default true when eventbus-jdbc and a DataSource
   *     are present).
   * @param requireTransaction Whether publishing through the injected EventPublisher outside a
   *     transaction fails instead of publishing directly (default false).
   * @param relayThreads How many relay threads this application runs (default 1; 0 for one that
   *     only stores while others relay).
   * @param batchSize The most rows a relay thread sends per transaction (default 256).
   * @param pollInterval How often an idle relay looks for rows without being notified (default 1s).
   * @param notifyOnCommit Whether stores wake the relays on commit with PostgreSQL NOTIFY (default
   *     true).
   * @param sentRetention How long sent rows are kept for inspection (default 1h; 0 deletes each row
   *     as it is sent).
   * @param confirmTimeout How long a relay waits for a batch's confirms (default 60s).
   * @param maxAge Health is DOWN when the oldest unsent row is older than this (default 1m).
   * @param stallTimeout Health is DOWN when the relay made no progress for this long while rows
   *     wait (default 1m).
   * @param sampleInterval How often the table's depth and oldest row are sampled (default 5s).
   */
  public record Outbox(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("false") boolean requireTransaction,
      @Nullable Integer relayThreads,
      @Nullable Integer batchSize,
      @Nullable Duration pollInterval,
      @Nullable Boolean notifyOnCommit,
      @Nullable Duration sentRetention,
      @Nullable Duration confirmTimeout,
      @Nullable Duration maxAge,
      @Nullable Duration stallTimeout,
      @Nullable Duration sampleInterval) {}

  /**
   * The inbox of idempotent subscriptions (EventSubscription idempotent, or
   * eventbus.subscriptions.NAME.idempotent), created when the first one starts. Unset values keep
   * eventbus-jdbc's defaults.
   *
   * @param enabled Whether idempotent subscriptions may use the inbox (default true when
   *     eventbus-jdbc and a DataSource are present).
   * @param retention How long a record of a handled event is kept; a duplicate arriving later runs
   *     the handler again (default 7d).
   * @param cleanupInterval How often old records are deleted (default 5m).
   */
  public record Inbox(
      @DefaultValue("true") boolean enabled,
      @Nullable Duration retention,
      @Nullable Duration cleanupInterval) {}
}
