package io.eventbus.testkit.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCertificateAuthorityTest {
  @TempDir Path folder;

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  @Test
  void theAuthorityIsACaAndSignsAServerCertificateForItsNames() throws Exception {
    TestCertificateAuthority ca = TestCertificateAuthority.create(folder, "unit-ca");
    TestCertificateAuthority.Issued server = ca.server("broker", "localhost", "rabbit.test");

    X509Certificate authority = read(ca.certificatePem());
    assertThat(authority.getBasicConstraints()).as("a CA").isNotNegative();
    X509Certificate issued = read(server.certificatePem());
    issued.verify(authority.getPublicKey());
    issued.checkValidity();
    assertThat(issued.getBasicConstraints()).as("not a CA").isEqualTo(-1);
    assertThat(
            issued.getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1))))
        .containsExactly("localhost", "rabbit.test");
    assertThat(issued.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(Files.readString(server.privateKeyPem())).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(server.certificate()).isEqualTo(issued);
    assertThat(server.ca()).isEqualTo(authority);
  }

  @Test
  void anExpiredServerCertificateIsExpired() throws Exception {
    TestCertificateAuthority ca = TestCertificateAuthority.create(folder, "unit-ca");

    X509Certificate expired = ca.expiredServer("old", "localhost").certificate();

    assertThatThrownBy(expired::checkValidity).isInstanceOf(CertificateExpiredException.class);
  }

  @Test
  void aClientCertificateComesAsAPkcs12KeyStoreWithItsChain() throws Exception {
    TestCertificateAuthority ca = TestCertificateAuthority.create(folder, "unit-ca");
    char[] password = "store-password".toCharArray();

    TestCertificateAuthority.Issued client = ca.client("client", "orders");
    Path store = client.pkcs12(password);

    KeyStore keys = KeyStore.getInstance(store.toFile(), password);
    assertThat(List.of(keys.getCertificateChain("client")))
        .containsExactly(client.certificate(), ca.certificate());
    assertThat(keys.getKey("client", password)).isEqualTo(client.key());
    assertThat(client.certificate().getSubjectX500Principal().getName()).contains("CN=orders");
    assertThat(client.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
  }
}
