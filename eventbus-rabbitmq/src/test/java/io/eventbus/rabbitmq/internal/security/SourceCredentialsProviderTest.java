package io.eventbus.rabbitmq.internal.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.rabbitmq.Credentials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SourceCredentialsProviderTest {
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };
  private final CredentialsRefresher refresher = new CredentialsRefresher();

  @Test
  void credentialsWithoutExpiryAreDueAgainForEveryNewConnection() {
    AtomicInteger fetched = new AtomicInteger();
    SourceCredentialsProvider provider =
        new SourceCredentialsProvider(
            () -> Credentials.of("orders", "password-" + fetched.incrementAndGet()), clock);

    assertThat(provider.getPassword()).isEqualTo("password-1");
    assertThat(refresher.isApproachingExpiration(provider.getTimeBeforeExpiration()))
        .as("just fetched")
        .isFalse();
    now.set(now.get().plusSeconds(2));
    assertThat(refresher.isApproachingExpiration(provider.getTimeBeforeExpiration())).isTrue();
    provider.refresh();
    assertThat(provider.getPassword()).isEqualTo("password-2");
    assertThat(provider.fetches()).isEqualTo(2);
  }

  @Test
  void expiringCredentialsAreDueWhenEightyPercentOfTheirLifetimeHasPassed() {
    SourceCredentialsProvider provider =
        new SourceCredentialsProvider(
            () -> new Credentials("orders", "token", now.get().plusSeconds(100)), clock);
    provider.getUsername();

    assertThat(provider.getTimeBeforeExpiration()).isEqualTo(Duration.ofSeconds(80));
    now.set(now.get().plusSeconds(79));
    assertThat(refresher.isApproachingExpiration(provider.getTimeBeforeExpiration())).isFalse();
    now.set(now.get().plusSeconds(1));
    assertThat(refresher.isApproachingExpiration(provider.getTimeBeforeExpiration())).isTrue();
  }

  @Test
  void toStringShowsNoPassword() {
    SourceCredentialsProvider provider =
        new SourceCredentialsProvider(() -> Credentials.of("orders", "canary-pw"), clock);
    provider.getUsername();

    assertThat(provider.toString()).contains("orders").doesNotContain("canary-pw");
  }
}
