package io.eventbus.rabbitmq.internal;

import java.net.URI;
import java.net.URISyntaxException;

/** Keeps passwords out of logs, exception messages and connection names. */
public final class Redaction {
  private Redaction() {}

  /**
   * {@code uri} with the password of its user info removed; unparseable input yields a placeholder.
   */
  public static String uri(String uri) {
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
