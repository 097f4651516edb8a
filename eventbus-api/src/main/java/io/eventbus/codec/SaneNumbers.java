package io.eventbus.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Refuses numbers that parse but would explode or mislead later, in user code: a {@code BigDecimal}
 * whose scale is beyond {@value #MAX_SCALE} either way (such as {@code 1e999999999}, which is a few
 * bytes of JSON but a billion digits when printed or converted), a {@code BigInteger} of more than
 * {@value #MAX_BIG_INTEGER_BITS} bits (about 1,000 digits) or written with such an exponent, and a
 * {@code double} or {@code float} that is not finite ({@code 1e999} parses as infinity, and the
 * strings {@code "NaN"} and {@code "Infinity"} are accepted by Jackson for these types). Each wraps
 * Jackson's own deserializer and checks its result, so parsing stays single-pass.
 */
final class SaneNumbers {
  /** The largest scale, either sign, of a {@code BigDecimal} read. */
  static final int MAX_SCALE = 1_000;

  /** The most bits of a {@code BigInteger} read (about 1,000 decimal digits). */
  static final int MAX_BIG_INTEGER_BITS = 3_400;

  private SaneNumbers() {}

  /** The module with the four checks. */
  static SimpleModule module() {
    SimpleModule module = new SimpleModule("eventbus-sane-numbers");
    module.addDeserializer(BigDecimal.class, new SaneBigDecimal());
    module.addDeserializer(BigInteger.class, new SaneBigInteger());
    module.addDeserializer(Double.class, new FiniteDouble(Double.class, null));
    module.addDeserializer(Double.TYPE, new FiniteDouble(Double.TYPE, 0.0));
    module.addDeserializer(Float.class, new FiniteFloat(Float.class, null));
    module.addDeserializer(Float.TYPE, new FiniteFloat(Float.TYPE, 0.0f));
    return module;
  }

  /** A refusal by one of these rules: its message is ours and quotes no input. */
  static final class Refused extends MismatchedInputException {
    private static final long serialVersionUID = 1L;

    Refused(JsonParser parser, String message, Class<?> type) {
      super(parser, message, type);
    }
  }

  private static final class SaneBigDecimal extends NumberDeserializers.BigDecimalDeserializer {
    private static final long serialVersionUID = 1L;

    @Override
    public BigDecimal deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      BigDecimal value = super.deserialize(parser, context);
      if (value != null && Math.abs((long) value.scale()) > MAX_SCALE) {
        throw new Refused(
            parser,
            "out of range: a decimal with a scale of "
                + value.scale()
                + " (the limit is "
                + MAX_SCALE
                + " either way)",
            BigDecimal.class);
      }
      return value;
    }
  }

  private static final class SaneBigInteger extends NumberDeserializers.BigIntegerDeserializer {
    private static final long serialVersionUID = 1L;

    @Override
    public BigInteger deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      if (parser.hasToken(JsonToken.VALUE_NUMBER_FLOAT)) {
        int scale = parser.getDecimalValue().scale();
        if (Math.abs((long) scale) > MAX_SCALE) {
          throw tooLarge(parser);
        }
      }
      BigInteger value = super.deserialize(parser, context);
      if (value != null && value.bitLength() > MAX_BIG_INTEGER_BITS) {
        throw tooLarge(parser);
      }
      return value;
    }

    private static Refused tooLarge(JsonParser parser) {
      return new Refused(
          parser,
          "out of range: an integer beyond " + MAX_BIG_INTEGER_BITS + " bits (about 1,000 digits)",
          BigInteger.class);
    }
  }

  private static final class FiniteDouble extends NumberDeserializers.DoubleDeserializer {
    private static final long serialVersionUID = 1L;
    private final Class<Double> type;

    FiniteDouble(Class<Double> type, Double nullValue) {
      super(type, nullValue);
      this.type = type;
    }

    @Override
    public Double deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      Double value = super.deserialize(parser, context);
      if (value != null && !Double.isFinite(value)) {
        throw new Refused(parser, "out of range: not a finite number (" + value + ")", type);
      }
      return value;
    }
  }

  private static final class FiniteFloat extends NumberDeserializers.FloatDeserializer {
    private static final long serialVersionUID = 1L;
    private final Class<Float> type;

    FiniteFloat(Class<Float> type, Float nullValue) {
      super(type, nullValue);
      this.type = type;
    }

    @Override
    public Float deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      Float value = super.deserialize(parser, context);
      if (value != null && !Float.isFinite(value)) {
        throw new Refused(parser, "out of range: not a finite number (" + value + ")", type);
      }
      return value;
    }
  }
}
