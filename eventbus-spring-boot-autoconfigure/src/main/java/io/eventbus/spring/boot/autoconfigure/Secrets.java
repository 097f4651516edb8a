package io.eventbus.spring.boot.autoconfigure;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Masks the secrets in settings before they are shown: passwords, and those in URIs. */
final class Secrets {
  /** What a secret is shown as (as Spring Boot's Actuator shows it). */
  static final String MASK = "******";

  /**
   * {@code scheme://user:password@}, anywhere (a comma-separated list of URIs holds several); a
   * password's own {@code @} and {@code ,} are percent-encoded in a URI.
   */
  private static final Pattern URI_PASSWORD =
      Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://[^:/?#@,\\s]*:)[^/?#@,\\s]*(@)");

  private Secrets() {}

  /** {@code uri} with the passwords of its user info, if any, replaced by {@link #MASK}. */
  static @Nullable String maskUri(@Nullable String uri) {
    if (uri == null) {
      return null;
    }
    return URI_PASSWORD.matcher(uri).replaceAll("$1" + MASK + "$2");
  }

  /** Whether {@code text} holds a URI with a password in its user info. */
  static boolean hasUriPassword(String text) {
    return URI_PASSWORD.matcher(text).find();
  }
}
