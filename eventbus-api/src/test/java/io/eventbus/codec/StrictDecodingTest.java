package io.eventbus.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The codec's strict rules (see {@link JacksonEventCodec}'s "Decoding rules"): duplicate keys,
 * required and non-null record components, sane numbers, and failure messages that never quote the
 * body.
 */
class StrictDecodingTest {
  /** A declaration annotation called Nullable, as javax.annotation's and jakarta's are. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.RECORD_COMPONENT})
  @interface Nullable2 {}

  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.RECORD_COMPONENT})
  @interface Nullable {}

  record Line(String sku, int quantity) {}

  record Order(String orderId, BigDecimal total, List<Line> lines) {}

  record Optionals(
      String id,
      java.lang.@org.jspecify.annotations.Nullable String typeUse,
      @Nullable String declaration) {}

  record Numbers(BigDecimal decimal, BigInteger integer, double real, Float single) {}

  /** A record that validates itself; its message is the author's own text. */
  record Positive(int value) {
    Positive {
      if (value <= 0) {
        throw new IllegalArgumentException("value must be positive");
      }
    }
  }

  private final JacksonEventCodec codec = JacksonEventCodec.create();

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void duplicateKeysAreRefused() {
    assertThatThrownBy(
            () -> codec.decode(bytes("{\"sku\":\"a\",\"quantity\":1,\"sku\":\"b\"}"), Line.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("duplicate key in a JSON object (at line 1, column ")
        .hasNoCause();
  }

  @Test
  void aMissingComponentIsRefusedAndNamed() {
    assertThatThrownBy(() -> codec.decode(bytes("{\"orderId\":\"o-1\",\"lines\":[]}"), Order.class))
        .hasMessageContaining("component 'total' is missing, and it is not declared @Nullable");
  }

  @Test
  void aNullComponentIsRefusedAndNamed() {
    assertThatThrownBy(
            () -> codec.decode(bytes("{\"orderId\":null,\"total\":1,\"lines\":[]}"), Order.class))
        .hasMessageContaining("component 'orderId' is null, and it is not declared @Nullable");
  }

  @Test
  void aMissingPrimitiveIsRefusedRatherThanReadAsZero() {
    assertThatThrownBy(() -> codec.decode(bytes("{\"sku\":\"a\"}"), Line.class))
        .hasMessageContaining("component 'quantity' is missing");
    assertThatThrownBy(() -> codec.decode(bytes("{\"sku\":\"a\",\"quantity\":null}"), Line.class))
        .hasMessageContaining("'quantity' is null");
  }

  @Test
  void nestedComponentsAreNamedByTheirPath() {
    assertThatThrownBy(
            () ->
                codec.decode(
                    bytes(
                        "{\"orderId\":\"o\",\"total\":1,\"lines\":[{\"sku\":\"a\",\"quantity\":1},"
                            + "{\"sku\":null,\"quantity\":2}]}"),
                    Order.class))
        .hasMessageContaining("component 'lines[1].sku' is null");
  }

  @Test
  void componentsAnnotatedNullableByAnyPackageMayBeMissingOrNull() throws Exception {
    Optionals missing = codec.decode(bytes("{\"id\":\"x\"}"), Optionals.class);
    Optionals nulls =
        codec.decode(
            bytes("{\"id\":\"x\",\"typeUse\":null,\"declaration\":null}"), Optionals.class);

    assertThat(missing).isEqualTo(new Optionals("x", null, null));
    assertThat(nulls).isEqualTo(missing);
    assertThatThrownBy(() -> codec.decode(bytes("{\"typeUse\":\"t\"}"), Optionals.class))
        .hasMessageContaining("component 'id' is missing");
  }

  @Test
  void onlyAnnotationsNamedNullableCount() {
    // Nullable2 is not called Nullable: otherName stays required.
    assertThatThrownBy(() -> codec.decode(bytes("{\"id\":\"x\",\"otherName\":null}"), Strict.class))
        .hasMessageContaining("'otherName' is null");
  }

  record Strict(String id, @Nullable2 String otherName) {}

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"decimal\":1e999999999,\"integer\":1,\"real\":1,\"single\":1}",
        "{\"decimal\":1e-1001,\"integer\":1,\"real\":1,\"single\":1}",
        "{\"decimal\":1,\"integer\":1e2000,\"real\":1,\"single\":1}",
        "{\"decimal\":1,\"integer\":1e999999999,\"real\":1,\"single\":1}",
        "{\"decimal\":1,\"integer\":1,\"real\":1e999,\"single\":1}",
        "{\"decimal\":1,\"integer\":1,\"real\":\"NaN\",\"single\":1}",
        "{\"decimal\":1,\"integer\":1,\"real\":\"-Infinity\",\"single\":1}",
        "{\"decimal\":1,\"integer\":1,\"real\":1,\"single\":1e39}"
      })
  void numbersBeyondSaneScaleOrNotFiniteAreRefused(String body) {
    assertThatThrownBy(() -> codec.decode(bytes(body), Numbers.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching("component '(decimal|integer|real|single)' is .*")
        .hasNoCause();
  }

  @Test
  void ordinaryNumbersStillDecode() throws Exception {
    Numbers numbers =
        codec.decode(
            bytes(
                "{\"decimal\":12.5e-3,\"integer\":123456789012345678901234567890,"
                    + "\"real\":1.5e300,\"single\":-2.5}"),
            Numbers.class);

    assertThat(numbers.decimal()).isEqualByComparingTo("0.0125");
    assertThat(numbers.integer()).isEqualTo(new BigInteger("123456789012345678901234567890"));
    assertThat(numbers.real()).isEqualTo(1.5e300);
    assertThat(numbers.single()).isEqualTo(-2.5f);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"sku\":SECRET-4111,\"quantity\":1}",
        "{\"sku\":\"a\",\"quantity\":\"SECRET-4111\"}",
        "{\"sku\":\"a\",\"quantity\":1,\"SECRET-4111\":1,\"SECRET-4111\":2}",
        "{\"sku\":[\"SECRET-4111\"],\"quantity\":1}",
        "SECRET-4111",
        "{\"sku\":\"SECRET-4111\"",
        "{\"sku\":\"a\",\"quantity\":1} SECRET-4111"
      })
  void failureMessagesNeverQuoteTheBody(String body) {
    assertThatThrownBy(() -> codec.decode(bytes(body), Line.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasNoCause()
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET").contains("line 1"));
  }

  @Test
  void aJavaSerializedBodyIsRefusedAsNotJson() {
    byte[] serialized = {(byte) 0xAC, (byte) 0xED, 0, 5, 's', 'r', 0, 4, 'E', 'v', 'i', 'l'};

    assertThatThrownBy(() -> codec.decode(serialized, Line.class))
        .hasMessageStartingWith("the body is not valid UTF-8 (at line 1")
        .hasNoCause();
  }

  @Test
  void aRecordThatRefusesItsValuesIsNamedWithTheAuthorsMessage() {
    assertThatThrownBy(() -> codec.decode(bytes("{\"value\":-1}"), Positive.class))
        .hasMessageContaining("the constructor of Positive refused the values")
        .hasMessageContaining("value must be positive");
  }
}
