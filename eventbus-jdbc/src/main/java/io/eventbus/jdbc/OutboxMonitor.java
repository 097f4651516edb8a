package io.eventbus.jdbc;

import io.eventbus.Health;
import io.eventbus.jdbc.internal.Dialect;
import io.eventbus.jdbc.internal.Sample;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the outbox table in the background (depth, oldest unsent row, parked rows), deletes sent
 * rows past their retention, and turns the sample and the relay's progress into status, health and
 * asynchronous gauges, so that none of them waits for the database.
 */
final class OutboxMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OutboxMonitor.class);
  static final String SCOPE = "io.eventbus.jdbc";
  private static final AttributeKey<String> TABLE = AttributeKey.stringKey("eventbus.outbox.table");
  private static final int PURGE_CHUNK = 5_000;

  private final DataSource dataSource;
  private final Dialect dialect;
  private final OutboxSettings settings;
  private final @Nullable Relay relay;
  private final ScheduledExecutorService scheduler;
  private final List<AutoCloseable> instruments = new ArrayList<>();
  private volatile @Nullable Sample sample;
  private volatile long sampledAtNanos;
  private volatile @Nullable String sampleError;
  private volatile boolean closed;

  OutboxMonitor(
      DataSource dataSource,
      Dialect dialect,
      OutboxSettings settings,
      @Nullable Relay relay,
      OpenTelemetry openTelemetry) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.settings = settings;
    this.relay = relay;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "eventbus-outbox-monitor");
              thread.setDaemon(true);
              return thread;
            });
    instrument(openTelemetry);
  }

  void start() {
    scheduler.scheduleWithFixedDelay(
        this::sample, 0, settings.sampleInterval().toMillis(), TimeUnit.MILLISECONDS);
    if (relay != null && !settings.sentRetention().isZero()) {
      long every = Math.max(1_000, Math.min(60_000, settings.sentRetention().toMillis() / 4));
      scheduler.scheduleWithFixedDelay(this::purge, every, every, TimeUnit.MILLISECONDS);
    }
  }

  private void instrument(OpenTelemetry openTelemetry) {
    Meter meter = openTelemetry.getMeter(SCOPE);
    Attributes attributes = Attributes.of(TABLE, settings.tables().outbox());
    instruments.add(
        meter
            .gaugeBuilder("eventbus.outbox.depth")
            .ofLongs()
            .setUnit("{event}")
            .setDescription("Unsent rows in the outbox table, as last sampled.")
            .buildWithCallback(
                gauge -> {
                  Sample last = sample;
                  if (last != null) {
                    gauge.record(last.unsent(), attributes);
                  }
                }));
    instruments.add(
        meter
            .gaugeBuilder("eventbus.outbox.oldest_unsent.age")
            .setUnit("s")
            .setDescription("How long the oldest unsent row has waited, as last sampled.")
            .buildWithCallback(
                gauge -> {
                  Sample last = sample;
                  if (last != null) {
                    gauge.record(last.oldestUnsentAge().toNanos() / 1e9, attributes);
                  }
                }));
    instruments.add(
        meter
            .gaugeBuilder("eventbus.outbox.dead_lettered")
            .ofLongs()
            .setUnit("{event}")
            .setDescription("Rows parked in the outbox's dead-letter table, as last sampled.")
            .buildWithCallback(
                gauge -> {
                  Sample last = sample;
                  if (last != null) {
                    gauge.record(last.parked(), attributes);
                  }
                }));
    if (relay != null) {
      Relay running = relay;
      instruments.add(
          meter
              .gaugeBuilder("eventbus.outbox.relay.lag")
              .setUnit("s")
              .setDescription(
                  "How long the rows of this relay's last batch waited, from insert to sent.")
              .buildWithCallback(gauge -> gauge.record(running.lagNanos / 1e9, attributes)));
      instruments.add(
          meter
              .counterBuilder("eventbus.outbox.relayed")
              .setUnit("{event}")
              .setDescription("Rows this process's relay sent and marked.")
              .buildWithCallback(counter -> counter.record(running.relayed.get(), attributes)));
    }
  }

  private void sample() {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      sample = dialect.sample(connection, settings.tables());
      sampledAtNanos = System.nanoTime();
      sampleError = null;
    } catch (SQLException | RuntimeException e) {
      sampleError = e.getClass().getName() + ": " + e.getMessage();
      log.debug("Outbox sampler: {}", sampleError);
    }
  }

  private void purge() {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      int deleted;
      do {
        deleted =
            dialect.purgeSent(connection, settings.tables(), settings.sentRetention(), PURGE_CHUNK);
      } while (deleted == PURGE_CHUNK && !closed);
    } catch (SQLException | RuntimeException e) {
      log.debug("Outbox retention: {}", e.getMessage());
    }
  }

  OutboxStatus status() {
    Sample last = sample;
    String error = sampleError;
    if (relay != null && relay.lastError != null) {
      error = relay.lastError;
    }
    return new OutboxStatus(
        last == null ? 0 : last.unsent(),
        last == null ? Duration.ZERO : last.oldestUnsentAge(),
        last == null ? 0 : last.parked(),
        relay == null ? 0 : relay.relayed.get(),
        relay == null ? Duration.ZERO : Duration.ofNanos(relay.lagNanos),
        settings.relayThreads(),
        error,
        last == null ? null : Duration.ofNanos(System.nanoTime() - sampledAtNanos));
  }

  Health.Component health() {
    OutboxStatus status = status();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("table", settings.tables().outbox());
    details.put("unsent", status.unsent());
    details.put("oldestUnsentAge", status.oldestUnsentAge());
    details.put("deadLettered", status.deadLettered());
    details.put("relayThreads", status.relayThreads());
    details.put("relayed", status.relayed());
    details.put("relayLag", status.relayLag());
    if (closed) {
      return component(Health.Status.DOWN, "the outbox is closed", details);
    }
    String unreachable = sampleError;
    if (unreachable != null) {
      return component(
          Health.Status.DOWN, "the outbox table cannot be read: " + unreachable, details);
    }
    if (status.oldestUnsentAge().compareTo(settings.maxAge()) > 0) {
      return component(
          Health.Status.DOWN,
          "the oldest unsent event has waited "
              + status.oldestUnsentAge().toSeconds()
              + " s (maxAge "
              + settings.maxAge().toSeconds()
              + " s)",
          details);
    }
    if (relay != null) {
      Duration idle = Duration.ofNanos(System.nanoTime() - relay.lastProgressNanos);
      boolean waiting = status.unsent() > 0 || relay.lastError != null;
      if (waiting && idle.compareTo(settings.stallTimeout()) > 0) {
        return component(
            Health.Status.DOWN,
            "the relay made no progress for "
                + idle.toSeconds()
                + " s while rows wait"
                + (relay.lastError == null ? "" : ": " + relay.lastError),
            details);
      }
      if (relay.lastError != null) {
        return component(
            Health.Status.DEGRADED, "the relay is backing off: " + relay.lastError, details);
      }
    }
    return component(Health.Status.UP, "", details);
  }

  private static Health.Component component(
      Health.Status status, String detail, Map<String, Object> details) {
    return new Health.Component("outbox", status, detail, details);
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    for (AutoCloseable instrument : instruments) {
      try {
        instrument.close();
      } catch (Exception e) {
        // closing an instrument does not fail
      }
    }
  }
}
