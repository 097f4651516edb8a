package io.eventbus.rabbitmq;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

/**
 * What eventbus does to an AMQP URI before it shows it: in logs, exception messages, {@code
 * toString()}, health details. Public so that tools built on the transport (the command-line tool,
 * an application's own diagnostics) print URIs by the same rule.
 *
 * <pre>{@code
 * AmqpUris.redact("amqp://orders:s3cret@rabbit:5672/shop");   // "amqp://orders@rabbit:5672/shop"
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Stateless.
 */
public final class AmqpUris {
  private AmqpUris() {}

  /**
   * {@code uri} with the password of its user info removed (the user name, host, port, path and
   * query kept); a string that is not a URI yields a placeholder that repeats none of it, since it
   * may hold a password where a URI parser could not find one.
   */
  public static String redact(String uri) {
    Objects.requireNonNull(uri, "uri");
    try {
      URI parsed = new URI(uri);
      String userInfo = parsed.getRawUserInfo();
      if (userInfo == null) {
        return parsed.toString();
      }
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      return new URI(
              parsed.getScheme(),
              null,
              parsed.getHost(),
              parsed.getPort(),
              parsed.getPath(),
              parsed.getQuery(),
              null)
          .toString()
          .replaceFirst("://", "://" + user + "@");
    } catch (URISyntaxException e) {
      return "<unparseable AMQP URI>";
    }
  }
}
