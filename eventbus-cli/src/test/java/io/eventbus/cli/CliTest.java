package io.eventbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.rabbitmq.ParkedEvent;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The tool's own logic, without a broker. */
class CliTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  private static ParkedEvent parked(String id, String type, String reason, Instant at) {
    return new ParkedEvent(
        id, type, reason, "java.lang.IllegalStateException", "down", 1, at, at, "q", 10, Map.of());
  }

  @Test
  void durationsTakeShortAndIsoForms() {
    assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("PT15M")).isEqualTo(Duration.ofMinutes(15));
    assertThatThrownBy(() -> Durations.parse("soon"))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessageContaining("90s");
    assertThat(Durations.instant("2h", NOW)).isEqualTo(NOW.minus(Duration.ofHours(2)));
    assertThat(Durations.instant("2026-01-01T00:00:00Z", NOW))
        .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void agesShowTheTwoLargestUnits() {
    assertThat(Durations.age(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(Durations.age(Duration.ofSeconds(750))).isEqualTo("12m30s");
    assertThat(Durations.age(Duration.ofMinutes(125))).isEqualTo("2h5m");
    assertThat(Durations.age(Duration.ofHours(76))).isEqualTo("3d4h");
  }

  @Test
  void terminalEscapesFromTheBrokerAreNeutralised() {
    assertThat(Output.clean("red \u001b[31mtext\u0007\nnext")).isEqualTo("red ?[31mtext? next");
  }

  @Test
  void filtersOfDifferentKindsMustAllMatchAndValuesOfOneKindAny() {
    Selection selection = new Selection();
    selection.types = List.of("a.v1", "b.v1");
    selection.reasons = List.of("handler-failed");
    selection.since = "1h";
    Predicate<ParkedEvent> filter = selection.predicate(Clock.fixed(NOW, ZoneOffset.UTC));

    assertThat(filter).accepts(parked("1", "a.v1", "handler-failed", NOW.minusSeconds(60)));
    assertThat(filter).accepts(parked("2", "b.v1", "handler-failed", NOW.minusSeconds(60)));
    assertThat(filter).rejects(parked("3", "c.v1", "handler-failed", NOW.minusSeconds(60)));
    assertThat(filter).rejects(parked("4", "a.v1", "decoding-failed", NOW.minusSeconds(60)));
    assertThat(filter).rejects(parked("5", "a.v1", "handler-failed", NOW.minusSeconds(7200)));
    assertThat(selection.filtered()).isTrue();
    assertThat(new Selection().filtered()).isFalse();
  }

  @Test
  void usageMistakesExitWithTwoAndTheHelpListsTheExitCodes() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int unknown =
        EventBusCli.run(
            new String[] {"frobnicate"}, out, err, new ByteArrayInputStream(new byte[0]));
    int help =
        EventBusCli.run(new String[] {"--help"}, out, err, new ByteArrayInputStream(new byte[0]));

    assertThat(unknown).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("frobnicate");
    assertThat(help).isZero();
    assertThat(out.toString()).contains("Exit codes:", "5  another operator");
  }
}
