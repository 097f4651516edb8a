package io.eventbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.inmemory.InMemoryTransport;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The outbox's and the inbox's settings follow the project's configuration style: setters reject
 * only null, {@code build()} checks every setting before it touches the database, and each mistake
 * is an {@link EventBusConfigurationException} naming its setting.
 */
class SettingsTest {
  /** Never connected to: every mistake is found before the database is asked. */
  private static final PGSimpleDataSource NOWHERE = new PGSimpleDataSource();

  private final EventBus bus = EventBus.builder().transport(InMemoryTransport.create()).build();

  @AfterEach
  void close() {
    bus.close();
  }

  static Stream<Arguments> outboxMistakes() {
    return Stream.of(
        mistake("relayThreads", "between 0 and 32", b -> b.relayThreads(-1)),
        mistake("relayThreads", "between 0 and 32", b -> b.relayThreads(33)),
        mistake("batchSize", "between 1 and 10000", b -> b.batchSize(0)),
        mistake("pollInterval", "positive", b -> b.pollInterval(Duration.ZERO)),
        mistake("sentRetention", "not be negative", b -> b.sentRetention(Duration.ofSeconds(-1))),
        mistake("confirmTimeout", "positive", b -> b.confirmTimeout(Duration.ofMillis(-1))),
        mistake("maxAge", "positive", b -> b.maxAge(Duration.ZERO)),
        mistake("stallTimeout", "positive", b -> b.stallTimeout(Duration.ZERO)),
        mistake("sampleInterval", "positive", b -> b.sampleInterval(Duration.ZERO)));
  }

  private static Arguments mistake(
      String setting, String rule, Consumer<Outbox.Builder> configure) {
    return Arguments.argumentSet(setting + " " + rule, setting, rule, configure);
  }

  @ParameterizedTest
  @MethodSource("outboxMistakes")
  void anOutboxSettingOutOfRangeIsNamedAtBuildBeforeTheDatabaseIsAsked(
      String setting, String rule, Consumer<Outbox.Builder> configure) {
    Outbox.Builder builder = Outbox.builder(bus, NOWHERE);
    configure.accept(builder);

    assertThatThrownBy(builder::build)
        .isInstanceOfSatisfying(
            EventBusConfigurationException.class, e -> assertThat(e.setting()).isEqualTo(setting))
        .hasMessageStartingWith("Outbox.Builder." + setting + " must")
        .hasMessageContaining(rule);
  }

  @Test
  void aLaterSetterCorrectsAnEarlierMistake() {
    OutboxSettings settings = Outbox.builder(bus, NOWHERE).batchSize(0).batchSize(10).settings();

    assertThat(settings.batchSize()).isEqualTo(10);
    assertThat(settings.sentRetention()).isEqualTo(Duration.ofHours(1));
    assertThat(Outbox.builder(bus, NOWHERE).settings()).isEqualTo(OutboxSettings.DEFAULTS);
  }

  @Test
  void aSentRetentionOfZeroIsValidItDeletesRowsAsTheyAreSent() {
    assertThat(Outbox.builder(bus, NOWHERE).sentRetention(Duration.ZERO).settings().sentRetention())
        .isZero();
  }

  @Test
  void anInboxSettingOutOfRangeIsNamedAtBuild() {
    assertThatThrownBy(() -> Inbox.builder(NOWHERE).retention(Duration.ZERO).build())
        .isInstanceOfSatisfying(
            EventBusConfigurationException.class,
            e -> assertThat(e.setting()).isEqualTo("retention"))
        .hasMessage("Inbox.Builder.retention must be positive, was PT0S");
    assertThatThrownBy(() -> Inbox.builder(NOWHERE).cleanupInterval(Duration.ofMinutes(-1)).build())
        .isInstanceOfSatisfying(
            EventBusConfigurationException.class,
            e -> assertThat(e.setting()).isEqualTo("cleanupInterval"));
  }

  @Test
  void nullIsRejectedAtTheSetterNamingTheParameter() {
    assertThatThrownBy(() -> Outbox.builder(bus, NOWHERE).pollInterval(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("pollInterval");
    assertThatThrownBy(() -> Inbox.builder(NOWHERE).retention(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("retention");
  }

  @Test
  void tableNamesThatAreNotPlainIdentifiersNameTheirSetting() {
    assertThatThrownBy(() -> JdbcTables.defaults().withSchema("Orders; DROP"))
        .isInstanceOfSatisfying(
            EventBusConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("schema"))
        .hasMessageStartingWith("JdbcTables.schema");
    assertThatThrownBy(() -> JdbcTables.defaults().withPrefix("1x"))
        .isInstanceOfSatisfying(
            EventBusConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("prefix"));
  }
}
