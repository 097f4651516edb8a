package io.eventbus.codec;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.ContextualSerializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import com.fasterxml.jackson.datatype.jsr310.ser.InstantSerializer;
import java.io.IOException;
import java.time.Instant;

/**
 * {@link Instant} fields of events written and read without a {@code DateTimeFormatter} in the
 * common case, with exactly the text and the values of jackson-datatype-jsr310's {@code
 * InstantSerializer} and {@code InstantDeserializer}, which handle everything else.
 *
 * <p>Profiling the consuming path showed jsr310's {@code InstantDeserializer} (a new parse context,
 * maps and lists per call, even a formatter built per parse) allocating more than a quarter of the
 * consumer thread's bytes for a typical event with one timestamp. Here a string of the form {@link
 * Instant#toString()} writes ({@code 2026-11-25T10:15:30.123Z}) is read by {@link Rfc3339}; any
 * other token or form, and any field with a {@code @JsonFormat}, goes to jsr310 as before, so that
 * what is accepted, refused and produced does not change.
 */
final class FastInstants {
  private FastInstants() {}

  /** The module: register it after {@code JavaTimeModule}, whose Instant handlers it wraps. */
  static SimpleModule module() {
    SimpleModule module = new SimpleModule("eventbus-fast-instants");
    module.addSerializer(Instant.class, new Writer());
    module.addDeserializer(Instant.class, new Reader());
    return module;
  }

  /** Whether no {@code @JsonFormat} (or config override) asks for anything for the field. */
  private static boolean plain(JsonFormat.Value format) {
    return format == null || JsonFormat.Value.empty().equals(format);
  }

  /** Writes {@link Rfc3339#format}, or lets jsr310 write timestamps and formatted fields. */
  static final class Writer extends StdSerializer<Instant> implements ContextualSerializer {
    Writer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator generator, SerializerProvider provider)
        throws IOException {
      if (provider.isEnabled(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)) {
        InstantSerializer.INSTANCE.serialize(value, generator, provider);
      } else {
        generator.writeString(Rfc3339.format(value));
      }
    }

    @Override
    public JsonSerializer<?> createContextual(SerializerProvider provider, BeanProperty property)
        throws JsonMappingException {
      JsonFormat.Value format = findFormatOverrides(provider, property, Instant.class);
      return plain(format) ? this : InstantSerializer.INSTANCE.createContextual(provider, property);
    }
  }

  /** Reads the common form with {@link Rfc3339}, anything else with jsr310. */
  static final class Reader extends JsonDeserializer<Instant> implements ContextualDeserializer {
    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      if (parser.currentToken() == JsonToken.VALUE_STRING) {
        Instant fast = Rfc3339.parseUtcOrNull(parser.getText());
        if (fast != null) {
          return fast;
        }
      }
      return InstantDeserializer.INSTANT.deserialize(parser, context);
    }

    @Override
    public JsonDeserializer<?> createContextual(
        DeserializationContext context, BeanProperty property) throws JsonMappingException {
      JsonFormat.Value format =
          property != null
              ? property.findPropertyFormat(context.getConfig(), Instant.class)
              : context.getDefaultPropertyFormat(Instant.class);
      return plain(format) ? this : InstantDeserializer.INSTANT.createContextual(context, property);
    }

    @Override
    public Class<?> handledType() {
      return Instant.class;
    }
  }
}
