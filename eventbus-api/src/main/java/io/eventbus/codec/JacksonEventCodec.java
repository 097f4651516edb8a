package io.eventbus.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.eventbus.EventBusConfigurationException;

/**
 * The default {@link EventCodec}: JSON (UTF-8) through Jackson, with records and {@code java.time}
 * supported, unknown properties ignored (so producers can add fields), no default typing (type ids
 * from the wire are never honoured), and read limits against hostile input.
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
 * {@link #decode} throws {@code IllegalArgumentException} for a body over {@link
 * Builder#maxBodyBytes}, and Jackson's exceptions for invalid UTF-8, malformed JSON, trailing
 * tokens, a {@code null} document, or nesting, strings or numbers beyond the limits.
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
    JsonFactory factory = JsonFactory.builder().streamReadConstraints(constraints).build();
    this.mapper =
        JsonMapper.builder(factory)
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
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
  public <T> T decode(byte[] body, Class<T> type) throws Exception {
    if (body.length > maxBodyBytes) {
      throw new IllegalArgumentException(
          "body of " + body.length + " bytes is over the limit of " + maxBodyBytes + " bytes");
    }
    T value = mapper.readValue(body, type);
    if (value == null) {
      throw new IllegalArgumentException("body is the JSON literal null");
    }
    return value;
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
