package io.eventbus.rabbitmq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CredentialsSource} that gets access tokens from an OAuth 2.0 token endpoint with the
 * client credentials grant (RFC 6749, section 4.4), for a broker that authenticates with RabbitMQ's
 * OAuth 2.0 backend ({@code rabbitmq_auth_backend_oauth2}): the token is the password, and it is
 * renewed and handed to open connections before it expires (see {@link CredentialsSource}).
 *
 * <pre>{@code
 * RabbitTransport.builder()
 *     .uri("amqps://broker.example:5671")
 *     .credentials(OAuth2ClientCredentials.builder(URI.create("https://idp.example/oauth/token"))
 *         .clientId("orders-service")
 *         .clientSecret(System.getenv("ORDERS_CLIENT_SECRET"))
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>The client authenticates to the endpoint with HTTP Basic authentication and asks for {@code
 * grant_type=client_credentials} (and the {@code scope}, if set). The token expires {@code
 * expires_in} seconds after it was received; without {@code expires_in}, at the token's own {@code
 * exp} claim if it is a JWT; otherwise it counts as not expiring and is fetched for every
 * connection.
 *
 * <h2>Thread safety</h2>
 *
 * Immutable and thread-safe.
 *
 * <h2>Failures</h2>
 *
 * {@link #fetch()} throws {@link EventBusException} when the endpoint cannot be reached or answers
 * with an error; the message names the endpoint, the HTTP status and the OAuth error code, never
 * the secret or the token.
 */
public final class OAuth2ClientCredentials implements CredentialsSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI tokenEndpoint;
  private final String clientId;
  private final String clientSecret;
  private final @Nullable String scope;
  private final String username;
  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;

  private OAuth2ClientCredentials(Builder builder) {
    this.tokenEndpoint = builder.tokenEndpoint;
    this.clientId = Objects.requireNonNull(builder.clientId, "clientId");
    this.clientSecret = Objects.requireNonNull(builder.clientSecret, "clientSecret");
    this.scope = builder.scope;
    this.username = builder.username != null ? builder.username : clientId;
    this.timeout = builder.timeout;
    this.clock = builder.clock;
    this.http =
        builder.http != null
            ? builder.http
            : HttpClient.newBuilder().connectTimeout(builder.timeout).build();
  }

  /** A builder for the token endpoint at {@code tokenEndpoint}. */
  public static Builder builder(URI tokenEndpoint) {
    return new Builder(tokenEndpoint);
  }

  /** Asks the endpoint for a new token. */
  @Override
  public Credentials fetch() {
    StringBuilder form = new StringBuilder("grant_type=client_credentials");
    if (scope != null) {
      form.append("&scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    }
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (encode(clientId) + ":" + encode(clientSecret)).getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(tokenEndpoint)
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .header("Authorization", "Basic " + basic)
            .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
            .build();
    Instant asked = clock.instant();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new EventBusException(
          "The token endpoint "
              + tokenEndpoint
              + " cannot be reached: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EventBusException("Interrupted while asking " + tokenEndpoint + " for a token");
    }
    JsonNode body = parse(response.body());
    if (response.statusCode() / 100 != 2) {
      String error = body == null ? "" : body.path("error").asText("");
      throw new EventBusException(
          "The token endpoint "
              + tokenEndpoint
              + " refused client "
              + clientId
              + ": HTTP "
              + response.statusCode()
              + (error.isEmpty() ? "" : " " + error));
    }
    String token = body == null ? "" : body.path("access_token").asText("");
    if (token.isEmpty()) {
      throw new EventBusException(
          "The token endpoint " + tokenEndpoint + " answered without an access_token");
    }
    Instant expiresAt = null;
    if (body.hasNonNull("expires_in") && body.get("expires_in").canConvertToLong()) {
      expiresAt = asked.plusSeconds(body.get("expires_in").asLong());
    } else {
      expiresAt = jwtExpiry(token);
    }
    return new Credentials(username, token, expiresAt);
  }

  private static @Nullable JsonNode parse(String text) {
    try {
      JsonNode node = JSON.readTree(text);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static @Nullable Instant jwtExpiry(String token) {
    String[] parts = token.split("\\.");
    if (parts.length != 3) {
      return null;
    }
    try {
      JsonNode claims =
          parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
      return claims != null && claims.path("exp").canConvertToLong()
          ? Instant.ofEpochSecond(claims.get("exp").asLong())
          : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** The endpoint and client, never the secret. */
  @Override
  public String toString() {
    return "OAuth2ClientCredentials[" + tokenEndpoint + ", client " + clientId + "]";
  }

  /** Collects the settings. Not thread-safe. */
  public static final class Builder {
    private static final String PREFIX = "OAuth2ClientCredentials.Builder.";

    private final URI tokenEndpoint;
    private @Nullable String clientId;
    private @Nullable String clientSecret;
    private @Nullable String scope;
    private @Nullable String username;
    private @Nullable HttpClient http;
    private Duration timeout = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();

    private Builder(URI tokenEndpoint) {
      this.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
    }

    /** The client's id at the authorization server (required). */
    public Builder clientId(String clientId) {
      this.clientId = Objects.requireNonNull(clientId, "clientId");
      return this;
    }

    /** The client's secret (required). */
    public Builder clientSecret(String clientSecret) {
      this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
      return this;
    }

    /** The scopes to ask for, space-separated (none by default: the server's default). */
    public Builder scope(String scope) {
      this.scope = Objects.requireNonNull(scope, "scope");
      return this;
    }

    /**
     * The user name sent with the token (the client id by default); the OAuth 2.0 backend reads the
     * identity from the token.
     */
    public Builder username(String username) {
      this.username = Objects.requireNonNull(username, "username");
      return this;
    }

    /**
     * The HTTP client, for a proxy or the endpoint's TLS settings (a new default one otherwise).
     */
    public Builder httpClient(HttpClient http) {
      this.http = Objects.requireNonNull(http, "http");
      return this;
    }

    /** How long connecting to the endpoint and its answer may take (default 10 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The clock that dates the tokens (the system's by default). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Checks the settings once.
     *
     * @throws EventBusConfigurationException naming the setting: a token endpoint that is not an
     *     http(s) URL, a missing client id or secret, a timeout that is not positive
     */
    public OAuth2ClientCredentials build() {
      String scheme = tokenEndpoint.getScheme();
      if (!"https".equals(scheme) && !"http".equals(scheme)) {
        throw new EventBusConfigurationException(
            PREFIX + "tokenEndpoint",
            PREFIX + "tokenEndpoint must be an http(s) URL, was " + scheme + "://");
      }
      if (clientId == null) {
        throw new EventBusConfigurationException(
            PREFIX + "clientId", PREFIX + "clientId is required");
      }
      if (clientSecret == null) {
        throw new EventBusConfigurationException(
            PREFIX + "clientSecret", PREFIX + "clientSecret is required");
      }
      if (timeout.isZero() || timeout.isNegative()) {
        throw new EventBusConfigurationException(
            PREFIX + "timeout", PREFIX + "timeout must be positive, was " + timeout);
      }
      return new OAuth2ClientCredentials(this);
    }
  }
}
