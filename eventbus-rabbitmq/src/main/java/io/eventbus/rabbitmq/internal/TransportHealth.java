package io.eventbus.rabbitmq.internal;

import io.eventbus.Health;
import io.eventbus.rabbitmq.ConnectionState;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.TransportStatus;
import io.eventbus.rabbitmq.internal.publish.ConfirmingPublisher;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Maps the state of the transport's two connections and its publisher to health components and to a
 * {@link TransportStatus}. Reads only what they keep in memory, so it never waits for the broker.
 *
 * <ul>
 *   <li>{@code connection:publish}, {@code connection:consume}: connected is up; blocked by a
 *       resource alarm is degraded; recovering or closed is down, and while recovering the reason
 *       says why the last reconnection attempt failed (a refused login, a failed TLS verification);
 *   <li>{@code publisher}: closed is down; a buffer at least 90% full (events or bytes) is
 *       degraded;
 *   <li>{@code threads}: the transport's own threads and periodic tasks ({@link ThreadSupervisor}):
 *       down while one that died waits to be restarted.
 * </ul>
 */
public final class TransportHealth {
  /** The share of a buffer bound from which the publisher reports itself degraded. */
  static final double NEARLY_FULL = 0.9;

  private final ConnectionSupervisor publishing;
  private final ConnectionSupervisor consuming;
  private final ConfirmingPublisher publisher;
  private final PublisherSettings settings;
  private final ThreadSupervisor threads;

  public TransportHealth(
      ConnectionSupervisor publishing,
      ConnectionSupervisor consuming,
      ConfirmingPublisher publisher,
      PublisherSettings settings,
      ThreadSupervisor threads) {
    this.publishing = publishing;
    this.consuming = consuming;
    this.publisher = publisher;
    this.settings = settings;
    this.threads = threads;
  }

  /** The four components, the publisher's down if {@code closed}. */
  public Health health(boolean closed) {
    Health.Component publisherHealth =
        publisher(
            settings,
            closed,
            publisher.bufferedEvents(),
            publisher.bufferedBytes(),
            publisher.outstandingConfirms(),
            publisher.resentAfterRecovery(),
            publisher.nackRetries(),
            publisher.unroutableAccepted());
    Map<String, Object> details = new LinkedHashMap<>(publisherHealth.details());
    details.put("topologyResends", publisher.topologyResends());
    details.put("refusedByBroker", publisher.refusedByBroker());
    details.put("unroutableByType", publisher.unroutable().byType());
    return Health.of(
        List.of(
            connection("connection:publish", publishing),
            connection("connection:consume", consuming),
            new Health.Component(
                publisherHealth.name(),
                publisherHealth.status(),
                publisherHealth.detail(),
                details),
            threads.health()));
  }

  /** A snapshot of both connections, the buffer and the counters. */
  public TransportStatus status() {
    return new TransportStatus(
        publishing.state(),
        consuming.state(),
        publisher.bufferedEvents(),
        publisher.bufferedBytes(),
        publisher.outstandingConfirms(),
        publisher.resentAfterRecovery(),
        publisher.nackRetries(),
        publisher.topologyResends(),
        publisher.unroutableAccepted(),
        publisher.unroutable().byType(),
        publishing.recoveries() + consuming.recoveries());
  }

  private static Health.Component connection(String name, ConnectionSupervisor supervisor) {
    return connection(
        name,
        supervisor.state(),
        supervisor.inStateFor(),
        supervisor.peer(),
        supervisor.recoveries(),
        supervisor.blockedTime(),
        supervisor.lastFailure(),
        supervisor.connectedOnce());
  }

  /**
   * The component of one connection in {@code state} for {@code since}; {@code lastFailure} is why
   * the last reconnection attempt failed, or null.
   */
  static Health.Component connection(
      String name,
      ConnectionState state,
      Duration since,
      @Nullable String peer,
      long recoveries,
      Duration blockedTime,
      @Nullable String lastFailure) {
    return connection(name, state, since, peer, recoveries, blockedTime, lastFailure, true);
  }

  /**
   * As above; {@code connectedOnce} false means the first connection is still being tried in the
   * background, which the reason says instead of "lost".
   */
  static Health.Component connection(
      String name,
      ConnectionState state,
      Duration since,
      @Nullable String peer,
      long recoveries,
      Duration blockedTime,
      @Nullable String lastFailure,
      boolean connectedOnce) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("state", state.name());
    details.put("inStateFor", since);
    if (peer != null) {
      details.put("broker", peer);
    }
    details.put("recoveries", recoveries);
    details.put("blockedTime", blockedTime);
    if (lastFailure != null && state == ConnectionState.RECOVERING) {
      details.put("lastFailure", lastFailure);
    }
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
              (connectedOnce ? "connection lost " : "not connected yet, connecting for ")
                  + since.toMillis()
                  + (connectedOnce ? " ms ago; reconnecting" : " ms")
                  + (lastFailure == null ? "" : "; the last attempt failed: " + lastFailure),
              details);
      case CLOSED -> new Health.Component(name, Health.Status.DOWN, "closed", details);
    };
  }

  /** The publisher's component from its figures and the bounds in {@code settings}. */
  static Health.Component publisher(
      PublisherSettings settings,
      boolean closed,
      int buffered,
      long bytes,
      int outstanding,
      long resent,
      long nackRetries,
      long unroutableAccepted) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("bufferedEvents", buffered);
    details.put("bufferedBytes", bytes);
    details.put("outstandingConfirms", outstanding);
    details.put("resentAfterRecovery", resent);
    details.put("nackRetries", nackRetries);
    details.put("unroutableAccepted", unroutableAccepted);
    if (closed) {
      return new Health.Component("publisher", Health.Status.DOWN, "closed", details);
    }
    if (buffered >= settings.maxBufferedEvents() * NEARLY_FULL
        || bytes >= settings.maxBufferedBytes() * NEARLY_FULL) {
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
}
