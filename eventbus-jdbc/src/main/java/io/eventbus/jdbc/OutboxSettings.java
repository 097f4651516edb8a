package io.eventbus.jdbc;

import io.eventbus.EventBusConfigurationException;
import java.time.Duration;
import java.util.Objects;

/**
 * An outbox's settings, validated once: {@link Outbox.Builder#build()} makes one, and the relay and
 * the monitor read it. Each mistake is an {@link EventBusConfigurationException} whose {@code
 * setting()} is the builder method's name and whose message starts with {@code Outbox.Builder.} and
 * that name. {@link Inbox.Builder} uses the same checks.
 *
 * @param tables where the tables are
 * @param createSchema whether {@code build()} creates missing tables
 * @param relayThreads relay threads in this process, 0 to {@value OutboxMessages#BUCKETS}
 * @param batchSize the most rows a relay thread sends per transaction, 1 to 10,000
 * @param pollInterval how often an idle relay looks without being woken
 * @param notifyOnCommit whether stores notify relays on commit and relays listen
 * @param sentRetention how long sent rows are kept; zero deletes them as they are sent
 * @param confirmTimeout how long a relay waits for a batch's confirms
 * @param maxAge health is DOWN when the oldest unsent row is older
 * @param stallTimeout health is DOWN when the relay made no progress for this long while rows wait
 * @param sampleInterval how often the table is sampled for status, health and gauges
 */
record OutboxSettings(
    JdbcTables tables,
    boolean createSchema,
    int relayThreads,
    int batchSize,
    Duration pollInterval,
    boolean notifyOnCommit,
    Duration sentRetention,
    Duration confirmTimeout,
    Duration maxAge,
    Duration stallTimeout,
    Duration sampleInterval) {

  /** The defaults of {@link Outbox.Builder}. */
  static final OutboxSettings DEFAULTS =
      new OutboxSettings(
          JdbcTables.defaults(),
          false,
          1,
          256,
          Duration.ofSeconds(1),
          true,
          Duration.ofHours(1),
          Duration.ofSeconds(60),
          Duration.ofMinutes(1),
          Duration.ofMinutes(1),
          Duration.ofSeconds(5));

  OutboxSettings {
    Objects.requireNonNull(tables, "tables");
    between("Outbox.Builder", "relayThreads", relayThreads, 0, OutboxMessages.BUCKETS);
    between("Outbox.Builder", "batchSize", batchSize, 1, 10_000);
    positive("Outbox.Builder", "pollInterval", pollInterval);
    Objects.requireNonNull(sentRetention, "sentRetention");
    if (sentRetention.isNegative()) {
      throw invalid("Outbox.Builder", "sentRetention", "must not be negative", sentRetention);
    }
    positive("Outbox.Builder", "confirmTimeout", confirmTimeout);
    positive("Outbox.Builder", "maxAge", maxAge);
    positive("Outbox.Builder", "stallTimeout", stallTimeout);
    positive("Outbox.Builder", "sampleInterval", sampleInterval);
  }

  /** {@code value}, if it is positive. */
  static Duration positive(String builder, String setting, Duration value) {
    Objects.requireNonNull(value, setting);
    if (value.isNegative() || value.isZero()) {
      throw invalid(builder, setting, "must be positive", value);
    }
    return value;
  }

  private static void between(String builder, String setting, int value, int min, int max) {
    if (value < min || value > max) {
      throw invalid(builder, setting, "must be between " + min + " and " + max, value);
    }
  }

  private static EventBusConfigurationException invalid(
      String builder, String setting, String rule, Object value) {
    return new EventBusConfigurationException(
        setting, builder + "." + setting + " " + rule + ", was " + value);
  }
}
