package io.eventbus.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.AnnotationIntrospector;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.introspect.AnnotationIntrospectorPair;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.eventbus.EventBusConfigurationException;

/**
 * The default {@link EventCodec}: JSON (UTF-8) through Jackson, with records and {@code java.time}
 * supported, unknown properties ignored (so producers can add fields), no default typing (type ids
 * from the wire are never honoured), read limits against hostile input, and strict where leniency
 * would hide a producer's bug.
 *
 * <h2>Decoding rules</h2>
 *
 * <ul>
 *   <li><b>One JSON document</b> of at most {@link Builder#maxBodyBytes} bytes, nesting at most
 *       {@link Builder#maxNestingDepth} deep, strings at most {@link Builder#maxStringLength}
 *       characters, numbers at most 1,000 characters; nothing after it; not the literal {@code
 *       null}.
 *   <li><b>Duplicate keys</b> in an object are refused ({@code {"total":1,"total":2}}): which one
 *       wins differs between parsers, so accepting it hides a bug or an attack.
 *   <li><b>Record components are required and non-null</b> unless declared nullable: a component
 *       missing from the body, or set to {@code null}, is refused, unless the component (or its
 *       canonical constructor's parameter) carries an annotation named {@code Nullable} of any
 *       package (JSpecify's type-use {@code @Nullable} included). A primitive component is always
 *       required. Classes that are not records are read as Jackson reads them (missing fields keep
 *       their defaults).
 *   <li><b>Numbers must be sane:</b> a {@code BigDecimal} with a scale beyond ±1,000 (such as
 *       {@code 1e999999999}), a {@code BigInteger} beyond about 1,000 digits, and a {@code double}
 *       or {@code float} that is not finite ({@code 1e999}, {@code "NaN"}) are refused.
 *   <li>Unknown properties are ignored; type ids in the body are never read.
 * </ul>
 *
 * <p>Failure messages never quote the body: Jackson's messages (which do) are replaced by what went
 * wrong, where (line, column, byte offset) and on which component, and the Jackson exception is not
 * kept as the cause. The parked message holds the whole body for whoever needs to look.
 *
 * <pre>{@code
 * EventCodec codec = JacksonEventCodec.builder().maxBodyBytes(256 * 1024).build();
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Immutable and thread-safe.
 *
 * <h2>Failures</h2>
 *
 * {@link #decode} throws {@code IllegalArgumentException}, with a message as described above and no
 * cause, for a body that breaks any of these rules.
 */
public final class JacksonEventCodec implements EventCodec {
  /** The content type of the bodies this codec writes. */
  public static final String CONTENT_TYPE = "application/json";

  private final ObjectMapper mapper;
  private final int maxBodyBytes;
  private final int maxNestingDepth;
  private final int maxStringLength;

  private JacksonEventCodec(Builder builder) {
    StreamReadConstraints constraints =
        StreamReadConstraints.builder()
            .maxNestingDepth(builder.maxNestingDepth)
            .maxStringLength(builder.maxStringLength)
            .maxNumberLength(1_000)
            .build();
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(constraints)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    AnnotationIntrospector introspector =
        new AnnotationIntrospectorPair(new StrictRecords(), new JacksonAnnotationIntrospector());
    this.mapper =
        JsonMapper.builder(factory)
            .addModule(new JavaTimeModule())
            .addModule(SaneNumbers.module())
            .addModule(FastInstants.module())
            .annotationIntrospector(introspector)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .build();
    this.maxBodyBytes = builder.maxBodyBytes;
    this.maxNestingDepth = builder.maxNestingDepth;
    this.maxStringLength = builder.maxStringLength;
  }

  /** A codec with the default limits. */
  public static JacksonEventCodec create() {
    return builder().build();
  }

  /** A builder for a codec with other limits. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this codec's limits. */
  public Builder toBuilder() {
    return new Builder()
        .maxBodyBytes(maxBodyBytes)
        .maxNestingDepth(maxNestingDepth)
        .maxStringLength(maxStringLength);
  }

  @Override
  public String contentType() {
    return CONTENT_TYPE;
  }

  @Override
  public byte[] encode(Object event) throws Exception {
    return mapper.writeValueAsBytes(event);
  }

  @Override
  public <T> T decode(byte[] body, Class<T> type) {
    if (body.length > maxBodyBytes) {
      throw new IllegalArgumentException(
          "body of " + body.length + " bytes is over the limit of " + maxBodyBytes + " bytes");
    }
    T value;
    try {
      value = mapper.readValue(body, type);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(JsonFailures.describe(e, type));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          "the body could not be read (" + e.getClass().getSimpleName() + ")");
    }
    if (value == null) {
      throw new IllegalArgumentException("body is the JSON literal null");
    }
    return value;
  }

  @Override
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /** Limits for decoding; {@link #build()} validates them all at once. Not thread-safe. */
  public static final class Builder {
    private int maxBodyBytes = 4 * 1024 * 1024;
    private int maxNestingDepth = 64;
    private int maxStringLength = 1024 * 1024;

    private Builder() {}

    /** The largest body decoded, in bytes (default 4 MiB). */
    public Builder maxBodyBytes(int maxBodyBytes) {
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /** The deepest nesting of JSON objects and arrays (default 64). */
    public Builder maxNestingDepth(int maxNestingDepth) {
      this.maxNestingDepth = maxNestingDepth;
      return this;
    }

    /** The longest JSON string value, in characters (default 1 Mi). */
    public Builder maxStringLength(int maxStringLength) {
      this.maxStringLength = maxStringLength;
      return this;
    }

    /**
     * The codec, once every limit is checked.
     *
     * @throws EventBusConfigurationException naming the first limit that is not positive
     */
    public JacksonEventCodec build() {
      positive(maxBodyBytes, "maxBodyBytes");
      positive(maxNestingDepth, "maxNestingDepth");
      positive(maxStringLength, "maxStringLength");
      return new JacksonEventCodec(this);
    }

    private static void positive(int value, String setting) {
      if (value < 1) {
        throw EventBusConfigurationException.invalid(setting, "must be positive", value);
      }
    }
  }

  @Override
  public String toString() {
    return "JacksonEventCodec[maxBodyBytes=" + maxBodyBytes + "]";
  }
}
