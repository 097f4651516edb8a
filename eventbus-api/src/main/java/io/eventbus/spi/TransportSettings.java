package io.eventbus.spi;

import io.eventbus.EventBusConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings every broker transport understands, for code that makes transports without depending
 * on a transport module (through a {@link TransportProvider}): where the broker is, the exchange to
 * publish to, the connection's name, and the timeouts. A transport's own builder has many more.
 *
 * <pre>{@code
 * TransportSettings settings = TransportSettings.builder("amqp://guest:guest@127.0.0.1:5672")
 *     .exchange("orders-test")
 *     .publishTimeout(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Immutable; the builder is not thread-safe.
 *
 * <h2>Failures</h2>
 *
 * {@link Builder#build()} throws {@link EventBusConfigurationException} naming the first invalid
 * setting. {@link #toString()} never shows the URI's password.
 */
public final class TransportSettings {
  private final String uri;
  private final String exchange;
  private final String connectionName;
  private final Duration connectTimeout;
  private final Duration publishTimeout;
  private final Duration shutdownTimeout;
  private final boolean failUnroutable;

  private TransportSettings(Builder builder) {
    this.uri = builder.uri;
    this.exchange = builder.exchange;
    this.connectionName = builder.connectionName;
    this.connectTimeout = builder.connectTimeout;
    this.publishTimeout = builder.publishTimeout;
    this.shutdownTimeout = builder.shutdownTimeout;
    this.failUnroutable = builder.failUnroutable;
  }

  /** A builder for a broker at {@code uri}, such as {@code amqp://user:pass@host:5672/vhost}. */
  public static Builder builder(String uri) {
    return new Builder(uri);
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    return new Builder(uri)
        .exchange(exchange)
        .connectionName(connectionName)
        .connectTimeout(connectTimeout)
        .publishTimeout(publishTimeout)
        .shutdownTimeout(shutdownTimeout)
        .failUnroutable(failUnroutable);
  }

  /** The broker's URI, credentials included: never log it as is. */
  public String uri() {
    return uri;
  }

  /** The exchange (or topic) every event is published to (default {@code eventbus}). */
  public String exchange() {
    return exchange;
  }

  /**
   * The name the broker shows for the transport's connections (default {@link
   * #defaultApplicationName()}).
   */
  public String connectionName() {
    return connectionName;
  }

  /** How long connecting to the broker may take (default 10 s). */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How long a publish may take, from the call to the broker's confirm (default 30 s). */
  public Duration publishTimeout() {
    return publishTimeout;
  }

  /** How long closing waits for handlers in flight (default 30 s). */
  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /**
   * Whether a publish that no queue is bound for fails with {@link
   * io.eventbus.UnroutableEventException} (the strict mode); by default (false) it completes
   * normally and the transport counts it by type ({@link UnroutableEvents}).
   */
  public boolean failUnroutable() {
    return failUnroutable;
  }

  /**
   * The application's name as connections show it by default: the system property {@value
   * #APPLICATION_PROPERTY}, else the environment variable {@value #APPLICATION_VARIABLE}, else this
   * machine's host name (in a container, usually the container's id), else {@code eventbus}.
   * Control characters are dropped and the result is cut at 200 characters (an AMQP short string
   * holds 255 bytes, and transports append a suffix such as {@code -publish}).
   */
  public static String defaultApplicationName() {
    String name = System.getProperty(APPLICATION_PROPERTY);
    if (name == null || name.isBlank()) {
      name = System.getenv(APPLICATION_VARIABLE);
    }
    if (name == null || name.isBlank()) {
      try {
        name = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException | SecurityException e) {
        name = System.getenv("HOSTNAME");
      }
    }
    if (name == null || name.isBlank()) {
      return "eventbus";
    }
    String clean = name.strip().replaceAll("\\p{Cntrl}", "");
    return clean.length() > 200 ? clean.substring(0, 200) : clean;
  }

  /** The system property that names the application: {@value}. */
  public static final String APPLICATION_PROPERTY = "eventbus.application";

  /** The environment variable that names the application: {@value}. */
  public static final String APPLICATION_VARIABLE = "EVENTBUS_APPLICATION";

  @Override
  public String toString() {
    return "TransportSettings[uri="
        + withoutPassword(uri)
        + ", exchange="
        + exchange
        + ", connectionName="
        + connectionName
        + "]";
  }

  private static String withoutPassword(String uri) {
    try {
      URI parsed = new URI(uri);
      String user = parsed.getUserInfo();
      if (user == null) {
        return uri;
      }
      int colon = user.indexOf(':');
      String redacted = colon < 0 ? user : user.substring(0, colon) + ":***";
      return new URI(
              parsed.getScheme(),
              redacted,
              parsed.getHost(),
              parsed.getPort(),
              parsed.getPath(),
              null,
              null)
          .toString();
    } catch (URISyntaxException e) {
      return "<unparseable URI>";
    }
  }

  /**
   * Collects settings; {@link #build()} validates them all at once. Setters only reject null. Not
   * thread-safe.
   */
  public static final class Builder {
    private String uri;
    private String exchange = "eventbus";
    private String connectionName = defaultApplicationName();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration publishTimeout = Duration.ofSeconds(30);
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private boolean failUnroutable;

    private Builder(String uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
    }

    /** The broker's URI, such as {@code amqp://user:pass@host:5672/vhost}. */
    public Builder uri(String uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /** The exchange (or topic) every event is published to. */
    public Builder exchange(String exchange) {
      this.exchange = Objects.requireNonNull(exchange, "exchange");
      return this;
    }

    /** The name the broker shows for the transport's connections. */
    public Builder connectionName(String connectionName) {
      this.connectionName = Objects.requireNonNull(connectionName, "connectionName");
      return this;
    }

    /** How long connecting to the broker may take. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /** How long a publish may take, from the call to the broker's confirm. */
    public Builder publishTimeout(Duration publishTimeout) {
      this.publishTimeout = Objects.requireNonNull(publishTimeout, "publishTimeout");
      return this;
    }

    /** How long closing waits for handlers in flight. */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
      return this;
    }

    /** Whether an unroutable publish fails (see {@link TransportSettings#failUnroutable()}). */
    public Builder failUnroutable(boolean failUnroutable) {
      this.failUnroutable = failUnroutable;
      return this;
    }

    /**
     * The immutable settings, once every one is checked.
     *
     * @throws EventBusConfigurationException naming the first invalid setting: a URI without a
     *     scheme and host, an empty name, or a timeout that is not positive
     */
    public TransportSettings build() {
      URI parsed;
      try {
        parsed = new URI(uri);
      } catch (URISyntaxException e) {
        throw new EventBusConfigurationException("uri", "uri is not a valid URI: " + e.getReason());
      }
      if (parsed.getScheme() == null || parsed.getHost() == null) {
        throw new EventBusConfigurationException(
            "uri", "uri needs a scheme and a host, such as amqp://host:5672");
      }
      if (exchange.isEmpty()) {
        throw EventBusConfigurationException.invalid("exchange", "must not be empty", "''");
      }
      if (connectionName.isEmpty()) {
        throw EventBusConfigurationException.invalid("connectionName", "must not be empty", "''");
      }
      positive("connectTimeout", connectTimeout);
      positive("publishTimeout", publishTimeout);
      positive("shutdownTimeout", shutdownTimeout);
      return new TransportSettings(this);
    }

    private static void positive(String setting, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw EventBusConfigurationException.invalid(setting, "must be positive", value);
      }
    }
  }
}
