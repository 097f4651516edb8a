package io.eventbus.rabbitmq.internal;

import io.eventbus.rabbitmq.ConnectionState;
import io.eventbus.rabbitmq.internal.publish.ConfirmingPublisher;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's own metrics, all asynchronous: they read the counters and states the publisher
 * and the connection supervisors keep anyway when a metric reader collects, so that publishing and
 * consuming pay nothing for them. Names are ours ({@code eventbus.}); the semantic conventions have
 * none for these.
 */
public final class RabbitMetrics implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RabbitMetrics.class);

  /** Which of the two connections: {@code publish} or {@code consume}. */
  static final AttributeKey<String> CONNECTION = AttributeKey.stringKey("eventbus.connection");

  /** A {@link ConnectionState} in lower case. */
  static final AttributeKey<String> STATE = AttributeKey.stringKey("eventbus.connection.state");

  private final List<AutoCloseable> instruments = new ArrayList<>();

  /** Registers the instruments with {@code openTelemetry}'s meter provider. */
  public RabbitMetrics(
      OpenTelemetry openTelemetry,
      ConfirmingPublisher publisher,
      ConnectionSupervisor publishing,
      ConnectionSupervisor consuming) {
    Meter meter = openTelemetry.getMeter("io.eventbus.rabbitmq");
    Map<ConnectionSupervisor, Attributes> connections =
        Map.of(
            publishing, Attributes.of(CONNECTION, "publish"),
            consuming, Attributes.of(CONNECTION, "consume"));
    Map<ConnectionSupervisor, Map<ConnectionState, Attributes>> stateAttributes = new HashMap<>();
    connections.forEach(
        (supervisor, attributes) -> {
          Map<ConnectionState, Attributes> byState = new EnumMap<>(ConnectionState.class);
          for (ConnectionState state : ConnectionState.values()) {
            byState.put(
                state,
                attributes.toBuilder().put(STATE, state.name().toLowerCase(Locale.ROOT)).build());
          }
          stateAttributes.put(supervisor, byState);
        });
    instruments.add(
        meter
            .gaugeBuilder("eventbus.publisher.outstanding_confirms")
            .ofLongs()
            .setUnit("{message}")
            .setDescription("Events sent and not yet confirmed by the broker.")
            .buildWithCallback(m -> m.record(publisher.outstandingConfirms())));
    instruments.add(
        meter
            .gaugeBuilder("eventbus.publisher.buffered.messages")
            .ofLongs()
            .setUnit("{message}")
            .setDescription("Events waiting in the publish buffer.")
            .buildWithCallback(m -> m.record(publisher.bufferedEvents())));
    instruments.add(
        meter
            .gaugeBuilder("eventbus.publisher.buffered.size")
            .ofLongs()
            .setUnit("By")
            .setDescription("Body bytes of the events waiting in the publish buffer.")
            .buildWithCallback(m -> m.record(publisher.bufferedBytes())));
    instruments.add(
        meter
            .counterBuilder("eventbus.publisher.resent")
            .setUnit("{message}")
            .setDescription("Events sent again after their channel or connection was lost.")
            .buildWithCallback(m -> m.record(publisher.resentAfterRecovery())));
    instruments.add(
        meter
            .counterBuilder("eventbus.publisher.nack_retries")
            .setUnit("{message}")
            .setDescription("Events sent again after the broker refused them (basic.nack).")
            .buildWithCallback(m -> m.record(publisher.nackRetries())));
    instruments.add(
        meter
            .counterBuilder("eventbus.publisher.topology_resends")
            .setUnit("{message}")
            .setDescription(
                "Events sent again after the broker returned them as unroutable although a"
                    + " subscription of the transport is bound for their type, once the topology"
                    + " was declared again.")
            .buildWithCallback(m -> m.record(publisher.topologyResends())));
    instruments.add(publisher.unroutable().instrument(openTelemetry, "io.eventbus.rabbitmq"));
    instruments.add(
        meter
            .gaugeBuilder("eventbus.connection.state")
            .ofLongs()
            .setUnit("1")
            .setDescription("1 for each connection's current state, 0 for its other states.")
            .buildWithCallback(
                m ->
                    stateAttributes.forEach(
                        (supervisor, byState) -> {
                          ConnectionState current = supervisor.state();
                          byState.forEach(
                              (state, attributes) ->
                                  m.record(state == current ? 1 : 0, attributes));
                        })));
    instruments.add(
        meter
            .counterBuilder("eventbus.connection.blocked.time")
            .ofDoubles()
            .setUnit("s")
            .setDescription("Time the broker kept the connection blocked (resource alarm).")
            .buildWithCallback(
                m ->
                    connections.forEach(
                        (supervisor, attributes) ->
                            m.record(supervisor.blockedTime().toNanos() / 1e9, attributes))));
    instruments.add(
        meter
            .counterBuilder("eventbus.connection.recoveries")
            .setUnit("{recovery}")
            .setDescription("Connections re-established after a loss.")
            .buildWithCallback(
                m ->
                    connections.forEach(
                        (supervisor, attributes) ->
                            m.record(supervisor.recoveries(), attributes))));
  }

  /** Unregisters the instruments. */
  @Override
  public void close() {
    for (AutoCloseable instrument : instruments) {
      try {
        instrument.close();
      } catch (Exception e) {
        log.debug("Could not unregister an instrument: {}", e.toString());
      }
    }
    instruments.clear();
  }
}
