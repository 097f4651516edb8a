package io.eventbus.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Rfc3339Test {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-11-25T10:15:30Z",
        "2026-11-25T10:15:30.1Z",
        "2026-11-25T10:15:30.12Z",
        "2026-11-25T10:15:30.123Z",
        "2026-11-25T10:15:30.123456Z",
        "2026-11-25T10:15:30.123456789Z",
        "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59.999Z",
        "2024-02-29T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
        "2026-11-25T11:15:30+01:00",
        "2026-11-25T05:15:30.5-05:00",
        "2026-11-25t10:15:30z"
      })
  void readsWhatTheJdkReadsTheSameWay(String text) {
    assertThat(Rfc3339.parse(text)).isEqualTo(OffsetDateTime.parse(text).toInstant());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-02-30T10:15:30Z",
        "2026-13-01T10:15:30Z",
        "2026-11-25T24:00:00Z",
        "2026-11-25T10:60:00Z",
        "2026-11-25T10:15:30.1234567890Z",
        "2026-11-25 10:15:30Z",
        "yesterday",
        "2026-1x-25T10:15:30Z"
      })
  void rejectsWhatIsNotAnRfc3339Time(String text) {
    assertThatThrownBy(() -> Rfc3339.parse(text)).isInstanceOf(DateTimeException.class);
  }
}
