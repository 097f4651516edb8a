package io.eventbus.rabbitmq;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A user name and a password (or an OAuth 2.0 access token in the password's place), as a {@link
 * CredentialsSource} hands them out, and when they expire.
 *
 * <p>{@link #toString()} never shows the password.
 *
 * @param username the user name; for a token, whatever the broker's OAuth 2.0 backend ignores
 * @param password the password or token
 * @param expiresAt when the broker stops accepting them, or null if they do not expire by
 *     themselves
 */
public record Credentials(String username, String password, @Nullable Instant expiresAt) {
  /** Checks for nulls and empty names. */
  public Credentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (username.isEmpty()) {
      throw new IllegalArgumentException("username must not be empty");
    }
  }

  /** Credentials that do not expire by themselves. */
  public static Credentials of(String username, String password) {
    return new Credentials(username, password, null);
  }

  /** The user name, and the expiry if any; never the password. */
  @Override
  public String toString() {
    return "Credentials[username="
        + username
        + ", password=<redacted>"
        + (expiresAt == null ? "" : ", expiresAt=" + expiresAt)
        + "]";
  }
}
