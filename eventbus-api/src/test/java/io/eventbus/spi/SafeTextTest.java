package io.eventbus.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one escaping rule for text from messages that goes into logs and exception messages. */
class SafeTextTest {
  @Test
  void plainTextIsKeptAsItIs() {
    String id = "5d0c7c36-3f57-4a43-9b3c-2f1d8e8f4a10";

    assertThat(SafeText.of(id)).isSameAs(id);
    assertThat(SafeText.of(null)).isEqualTo("null");
  }

  @Test
  void lineBreaksAndOtherControlsCannotForgeALine() {
    String forged = "order.placed.v1\r\n2026-11-25 10:00:00 INFO admin logged in\u001b[2K\u0000";

    assertThat(SafeText.of(forged))
        .isEqualTo("order.placed.v1\\r\\n2026-11-25 10:00:00 INFO admin logged in\\u001b[2K\\u0000")
        .doesNotContain("\n", "\r", "\u001b");
  }

  @Test
  void unicodeLineSeparatorsAndBidirectionalControlsAreEscaped() {
    assertThat(SafeText.of("a\u2028b\u2029c\u202Ed\u2066e\u0085f"))
        .isEqualTo("a\\u2028b\\u2029c\\u202ed\\u2066e\\u0085f");
  }

  @Test
  void longTextIsCappedAndSaysHowMuchWasLeftOut() {
    String type = "t".repeat(10_240);

    String safe = SafeText.of(type);

    assertThat(safe).hasSize(SafeText.MAX_CHARS + "…(+10040 chars)".length());
    assertThat(safe).endsWith("…(+10040 chars)");
  }

  @Test
  void escapingTwiceChangesNothing() {
    String once = SafeText.of("a\nb\\c");

    assertThat(SafeText.of(once)).isEqualTo(once).isEqualTo("a\\nb\\c");
  }

  @Test
  void anExceptionIsNamedByClassAndEscapedMessage() {
    assertThat(SafeText.message(new IllegalStateException("bad\nthing")))
        .isEqualTo("java.lang.IllegalStateException: bad\\nthing");
    assertThat(SafeText.message(new IllegalStateException()))
        .isEqualTo("java.lang.IllegalStateException");
  }
}
