package io.eventbus.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The codec's own Instant handling ({@link FastInstants}, {@link Rfc3339#format}) writes, reads and
 * refuses exactly what jackson-datatype-jsr310 alone does.
 */
class FastInstantsTest {
  record Stamped(Instant at) {}

  record Formatted(@JsonFormat(shape = JsonFormat.Shape.NUMBER) Instant at) {}

  record Patterned(@JsonFormat(pattern = "yyyy-MM-dd HH:mm", timezone = "UTC") Instant at) {}

  private final JacksonEventCodec codec = JacksonEventCodec.create();
  private final ObjectMapper jsr310 =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private static List<Instant> instants() {
    List<Instant> instants =
        new ArrayList<>(
            List.of(
                Instant.EPOCH,
                Instant.ofEpochSecond(-1),
                Instant.ofEpochSecond(0, 1),
                Instant.ofEpochSecond(0, 1_000),
                Instant.ofEpochSecond(0, 1_000_000),
                Instant.ofEpochSecond(0, 100_000_000),
                Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-12-31T23:59:59Z"),
                Instant.parse("2024-02-29T12:00:00.120Z"),
                Instant.MIN,
                Instant.MAX));
    SplittableRandom random = new SplittableRandom(14);
    for (int i = 0; i < 20_000; i++) {
      long seconds = random.nextLong(-70_000_000_000L, 260_000_000_000L);
      int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
          };
      instants.add(Instant.ofEpochSecond(seconds, nanos));
    }
    return instants;
  }

  @Test
  void formatsExactlyAsInstantToString() {
    for (Instant instant : instants()) {
      assertThat(Rfc3339.format(instant)).as("%s", instant).isEqualTo(instant.toString());
    }
  }

  @Test
  void writesAndReadsWhatJsr310WritesAndReads() throws Exception {
    for (Instant instant : instants()) {
      Stamped stamped = new Stamped(instant);
      byte[] ours = codec.encode(stamped);
      assertThat(new String(ours, StandardCharsets.UTF_8))
          .isEqualTo(jsr310.writeValueAsString(stamped));
      assertThat(codec.decode(ours, Stamped.class)).isEqualTo(stamped);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"2026-11-25T10:15:30Z\"",
        "\"2026-11-25T10:15:30.1Z\"",
        "\"2026-11-25T10:15:30.123456789Z\"",
        "\"2026-11-25T11:15:30+01:00\"",
        "\"2026-11-25t10:15:30z\"",
        "\" 2026-11-25T10:15:30Z \"",
        "\"2026-02-30T10:15:30Z\"",
        "\"2026-11-25T24:00:00Z\"",
        "\"2026-11-25T23:59:60Z\"",
        "\"2026-11-25T10:15:30.1234567890Z\"",
        "\"+12026-11-25T10:15:30Z\"",
        "\"1764065730\"",
        "\"\"",
        "\"yesterday\"",
        "1764065730",
        "1764065730.5",
        "null"
      })
  void acceptsAndRefusesWhatJsr310Does(String json) {
    byte[] body = ("{\"at\":" + json + "}").getBytes(StandardCharsets.UTF_8);
    Object expected;
    try {
      expected = jsr310.readValue(body, Stamped.class).at();
    } catch (Exception e) {
      expected = "refused";
    }
    Object actual;
    try {
      actual = codec.decode(body, Stamped.class).at();
    } catch (IllegalArgumentException e) {
      actual = "refused";
    }
    if (expected == null) {
      // jsr310 reads null (for null and ""); the codec refuses null components of records.
      assertThat(actual).isEqualTo("refused");
    } else {
      assertThat(actual).as(json).isEqualTo(expected);
    }
  }

  @Test
  void aFieldWithJsonFormatIsLeftToJsr310() throws Exception {
    Instant at = Instant.parse("2026-11-25T10:15:00Z");
    assertThat(new String(codec.encode(new Formatted(at)), StandardCharsets.UTF_8))
        .isEqualTo(jsr310.writeValueAsString(new Formatted(at)));
    assertThat(new String(codec.encode(new Patterned(at)), StandardCharsets.UTF_8))
        .isEqualTo("{\"at\":\"2026-11-25 10:15\"}");
    assertThat(
            codec.decode(
                "{\"at\":\"2026-11-25 10:15\"}".getBytes(StandardCharsets.UTF_8), Patterned.class))
        .isEqualTo(new Patterned(at));
  }
}
