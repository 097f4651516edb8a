package io.eventbus.rabbitmq.internal.security;

import com.rabbitmq.client.impl.CredentialsProvider;
import io.eventbus.EventBusException;
import io.eventbus.rabbitmq.Credentials;
import io.eventbus.rabbitmq.CredentialsSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * amqp-client's view of a {@link CredentialsSource}. Its {@link #getTimeBeforeExpiration()} is the
 * time until the credentials should be <em>replaced</em>, not until they expire: 80% of the way
 * through an expiring token's lifetime, and at once for credentials that do not expire (so that
 * amqp-client's connection start, which refreshes what is due, asks the source again for every new
 * connection). {@link CredentialsRefresher} is the matching refresh service.
 */
public final class SourceCredentialsProvider implements CredentialsProvider {
  /** Non-expiring credentials fetched this recently are not fetched again for a connection. */
  static final Duration REUSE_WINDOW = Duration.ofSeconds(1);

  private static final double REFRESH_AT = 0.8;

  private final CredentialsSource source;
  private final Clock clock;
  private final AtomicLong fetches = new AtomicLong();
  private volatile @Nullable Fetched current;

  private record Fetched(Credentials credentials, Instant at) {}

  public SourceCredentialsProvider(CredentialsSource source, Clock clock) {
    this.source = source;
    this.clock = clock;
  }

  @Override
  public String getUsername() {
    return current().username();
  }

  @Override
  public String getPassword() {
    return current().password();
  }

  private Credentials current() {
    Fetched fetched = current;
    if (fetched == null) {
      refresh();
      fetched = current;
    }
    return fetched.credentials();
  }

  /** Whether the credentials in use expire, so open connections need new ones in time. */
  boolean expiring() {
    Fetched fetched = current;
    return fetched != null && fetched.credentials().expiresAt() != null;
  }

  /** How often the source was asked. */
  public long fetches() {
    return fetches.get();
  }

  @Override
  public Duration getTimeBeforeExpiration() {
    Fetched fetched = current;
    Instant now = clock.instant();
    if (fetched == null) {
      return Duration.ZERO;
    }
    Instant expiresAt = fetched.credentials().expiresAt();
    if (expiresAt == null) {
      Duration age = Duration.between(fetched.at(), now);
      return age.compareTo(REUSE_WINDOW) >= 0 ? Duration.ZERO : REUSE_WINDOW.minus(age);
    }
    Duration lifetime = Duration.between(fetched.at(), expiresAt);
    Instant refreshAt =
        fetched.at().plus(Duration.ofMillis((long) (lifetime.toMillis() * REFRESH_AT)));
    return Duration.between(now, refreshAt);
  }

  @Override
  public synchronized void refresh() {
    Credentials credentials;
    try {
      credentials = source.fetch();
    } catch (RuntimeException e) {
      throw e instanceof EventBusException
          ? e
          : new EventBusException(
              "The credentials source failed: " + e.getClass().getSimpleName(), e);
    }
    if (credentials == null) {
      throw new EventBusException("The credentials source returned nothing");
    }
    fetches.incrementAndGet();
    current = new Fetched(credentials, clock.instant());
  }

  @Override
  public String toString() {
    Fetched fetched = current;
    return "SourceCredentialsProvider["
        + source
        + (fetched == null ? "" : ", " + fetched.credentials())
        + "]";
  }
}
