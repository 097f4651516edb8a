package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBusConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSettingsTest {
  @Test
  void theDefaultsVerify() {
    assertThat(TlsSettings.defaults().verifying()).isTrue();
    assertThat(TlsSettings.defaults().toString()).contains("the JDK's trusted certificates");
  }

  @Test
  void trustingEverythingSaysSoInItsName() {
    TlsSettings insecure = TlsSettings.builder().insecureTrustAllCertificates().build();

    assertThat(insecure.verifying()).isFalse();
    assertThat(insecure.toString()).contains("INSECURE");
  }

  @Test
  void contradictorySettingsAreRefusedNamingThem() throws Exception {
    assertThatThrownBy(
            () ->
                TlsSettings.builder()
                    .sslContext(SSLContext.getDefault())
                    .trustedCertificates(Path.of("ca.pem"))
                    .build())
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining("sslContext")
        .hasMessageContaining("trustedCertificates");
    assertThatThrownBy(
            () ->
                TlsSettings.builder()
                    .trustedCertificates(Path.of("ca.pem"))
                    .insecureTrustAllCertificates()
                    .build())
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining("insecureTrustAllCertificates");
  }

  @Test
  void unreadableFilesAreNamedWithoutTheirPasswords(@TempDir Path folder) throws Exception {
    Path notPem = Files.writeString(folder.resolve("ca.pem"), "not a certificate");
    Path notAStore = Files.writeString(folder.resolve("client.p12"), "not a store");

    assertThatThrownBy(() -> TlsSettings.builder().trustedCertificates(notPem).build())
        .isInstanceOfSatisfying(
            EventBusConfigurationException.class,
            e -> assertThat(e.setting()).isEqualTo("TlsSettings.Builder.trustedCertificates"))
        .hasMessageStartingWith("TlsSettings.Builder.trustedCertificates")
        .hasMessageContaining(notPem.toString());
    assertThatThrownBy(
            () -> TlsSettings.builder().keyStore(notAStore, "store-canary".toCharArray()).build())
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith("TlsSettings.Builder.keyStore")
        .hasMessageNotContaining("store-canary");
  }
}
