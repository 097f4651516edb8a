package io.eventbus.jdbc;

import io.eventbus.EventBusConfigurationException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where the outbox and inbox tables live: an optional schema and a name prefix (default: the
 * connection's current schema, prefix {@code eventbus_}), giving the tables {@code <prefix>outbox},
 * {@code <prefix>outbox_dead} and {@code <prefix>inbox}. Immutable.
 *
 * <pre>{@code
 * JdbcTables tables = JdbcTables.defaults().withSchema("orders").withPrefix("bus_");
 * // orders.bus_outbox, orders.bus_outbox_dead, orders.bus_inbox
 * }</pre>
 *
 * @param schema the schema that holds the tables, or null for the connection's current schema
 * @param prefix what every table name starts with
 */
public record JdbcTables(@Nullable String schema, String prefix) {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,39}");
  private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,29}");
  private static final JdbcTables DEFAULTS = new JdbcTables(null, "eventbus_");

  /**
   * Validates the names: lowercase letters, digits and {@code _}, starting with a letter or {@code
   * _}; a schema of at most 40 characters, a prefix of at most 30.
   *
   * @throws EventBusConfigurationException naming the invalid setting
   */
  public JdbcTables {
    Objects.requireNonNull(prefix, "prefix");
    if (schema != null && !IDENTIFIER.matcher(schema).matches()) {
      throw new EventBusConfigurationException(
          "schema",
          "JdbcTables.schema '"
              + schema
              + "' is invalid: use 1 to 40 lowercase letters, digits or '_', not starting with a"
              + " digit");
    }
    if (!PREFIX.matcher(prefix).matches()) {
      throw new EventBusConfigurationException(
          "prefix",
          "JdbcTables.prefix '"
              + prefix
              + "' is invalid: use 1 to 30 lowercase letters, digits or '_', not starting with a"
              + " digit");
    }
  }

  /** The current schema, prefix {@code eventbus_}. */
  public static JdbcTables defaults() {
    return DEFAULTS;
  }

  /** A copy in {@code schema}. */
  public JdbcTables withSchema(String schema) {
    return new JdbcTables(Objects.requireNonNull(schema, "schema"), prefix);
  }

  /** A copy with another prefix. */
  public JdbcTables withPrefix(String prefix) {
    return new JdbcTables(schema, prefix);
  }

  /** The outbox table, schema-qualified if a schema is set. */
  public String outbox() {
    return qualified("outbox");
  }

  /** The outbox's dead-letter table. */
  public String outboxDeadLetters() {
    return qualified("outbox_dead");
  }

  /** The inbox table. */
  public String inbox() {
    return qualified("inbox");
  }

  /**
   * The channel the outbox notifies on commit (PostgreSQL {@code LISTEN/NOTIFY}): the outbox
   * table's qualified name, at most 63 bytes.
   */
  public String notifyChannel() {
    String channel = outbox();
    byte[] bytes = channel.getBytes(StandardCharsets.UTF_8);
    return bytes.length <= 63 ? channel : channel.substring(0, 63);
  }

  private String qualified(String table) {
    return schema == null ? prefix + table : schema + "." + prefix + table;
  }
}
