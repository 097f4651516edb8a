package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
  @Test
  void toStringNeverShowsThePassword() {
    Credentials credentials =
        new Credentials("orders", "s3cr3t-canary", Instant.parse("2030-01-01T00:00:00Z"));

    assertThat(credentials.toString())
        .contains("orders", "2030-01-01T00:00:00Z", "<redacted>")
        .doesNotContain("s3cr3t-canary");
  }

  @Test
  void aPasswordFileIsReadAgainForEveryFetch(@TempDir Path folder) throws Exception {
    Path file = folder.resolve("password");
    Files.writeString(file, "first\n");
    CredentialsSource source = CredentialsSource.passwordFile("orders", file);
    assertThat(source.fetch()).isEqualTo(Credentials.of("orders", "first"));

    Files.writeString(file, "second");
    assertThat(source.fetch().password()).isEqualTo("second");

    Files.writeString(file, "\n");
    assertThatThrownBy(source::fetch)
        .isInstanceOf(EventBusException.class)
        .hasMessageContaining("is empty");
  }

  @Test
  void aMissingPasswordFileIsAConfigurationMistake(@TempDir Path folder) {
    assertThatThrownBy(() -> CredentialsSource.passwordFile("orders", folder.resolve("nope")))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith("CredentialsSource.passwordFile")
        .hasMessageContaining("nope");
  }
}
