package io.eventbus.testkit.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * A certificate authority of the test's own, made fresh in a folder: its certificate, and the
 * certificates it issues for brokers and clients, as PEM files (what a {@link PrivateRabbitNode}'s
 * Erlang reads, see {@link NodeConfig.Tls}) and PKCS#12 key stores (what Java reads). EC P-256
 * keys, SHA-256 signatures.
 *
 * <pre>{@code
 * TestCertificateAuthority ca = TestCertificateAuthority.create(folder, "test-ca");
 * TestCertificateAuthority.Issued broker = ca.server("broker", "localhost");
 * try (PrivateRabbitNode node = PrivateRabbitNode.start(NodeConfig.defaults()
 *     .withTls(NodeConfig.Tls.of(ca.certificatePem(), broker.certificatePem(),
 *         broker.privateKeyPem())))) {
 *   // connect to node.tlsUri("localhost"), trusting ca.certificatePem()
 * }
 * }</pre>
 *
 * <h2>Dependencies</h2>
 *
 * Certificates are made with BouncyCastle ({@code org.bouncycastle:bcpkix-jdk18on}), an optional
 * dependency of the testkit: add it to your test class path to use this class. Without it, {@link
 * #create} throws {@link IllegalStateException} saying so; nothing else in the testkit needs it.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe; every certificate has a new key pair and a random serial number.
 *
 * <h2>Failures</h2>
 *
 * A file that cannot be written is an {@link UncheckedIOException}; a missing JDK algorithm (EC,
 * SHA256withECDSA, PKCS#12) an {@link IllegalStateException}.
 */
public final class TestCertificateAuthority {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path folder;
  private final String name;
  private final KeyPair keys;
  private final X509Certificate certificate;
  private final Path certificatePem;

  /**
   * What the authority issued: the files and the objects.
   *
   * @param certificatePem the certificate, PEM ({@code <file>.pem})
   * @param privateKeyPem its unencrypted PKCS#8 private key, PEM ({@code <file>.key})
   * @param certificate the certificate
   * @param key its private key
   * @param ca the issuing authority's certificate
   */
  public record Issued(
      Path certificatePem,
      Path privateKeyPem,
      X509Certificate certificate,
      PrivateKey key,
      X509Certificate ca) {
    /** Checks for nulls. */
    public Issued {
      Objects.requireNonNull(certificatePem, "certificatePem");
      Objects.requireNonNull(privateKeyPem, "privateKeyPem");
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(ca, "ca");
    }

    /**
     * Writes a PKCS#12 key store holding the key and its chain, protected by {@code password}, next
     * to the PEM file ({@code <file>.pem.p12}), for a Java client's key store.
     */
    public Path pkcs12(char[] password) {
      Path file = certificatePem.resolveSibling(certificatePem.getFileName() + ".p12");
      try (OutputStream out = Files.newOutputStream(file)) {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", key, password, new Certificate[] {certificate, ca});
        store.store(out, password);
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private TestCertificateAuthority(Path folder, String name) {
    this.folder = folder;
    this.name = name;
    this.keys = keyPair();
    Instant now = Instant.now();
    this.certificate =
        CertificateSigner.authority(
            name, keys, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(2)));
    this.certificatePem =
        writePem(folder.resolve(name + "-ca.pem"), "CERTIFICATE", encoded(certificate));
  }

  /**
   * A new authority named {@code name} (its certificate valid from an hour ago for two days), its
   * files in {@code folder}: {@code <name>-ca.pem}.
   *
   * @throws IllegalStateException if BouncyCastle is not on the class path
   */
  public static TestCertificateAuthority create(Path folder, String name) {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(name, "name");
    try {
      Class.forName(
          "org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder",
          false,
          TestCertificateAuthority.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "TestCertificateAuthority needs BouncyCastle: add org.bouncycastle:bcpkix-jdk18on to the"
              + " test class path");
    }
    return new TestCertificateAuthority(folder, name);
  }

  /** The authority's certificate, PEM: what clients and brokers trust. */
  public Path certificatePem() {
    return certificatePem;
  }

  /** The authority's certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * A server certificate for {@code dnsNames} (subject alternative names; the first is also the
   * common name), valid from an hour ago for a day, in {@code <file>.pem} and {@code <file>.key}.
   */
  public Issued server(String file, String... dnsNames) {
    Instant now = Instant.now();
    return issue(
        file, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), false, dnsNames);
  }

  /** A server certificate for {@code dnsNames} that expired yesterday. */
  public Issued expiredServer(String file, String... dnsNames) {
    Instant now = Instant.now();
    return issue(
        file, now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)), false, dnsNames);
  }

  /**
   * A client certificate for {@code commonName} (the user name a broker with {@code
   * rabbitmq_auth_mechanism_ssl} would take), valid from an hour ago for a day.
   */
  public Issued client(String file, String commonName) {
    Instant now = Instant.now();
    return issue(
        file, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), true, commonName);
  }

  private Issued issue(String file, Instant from, Instant to, boolean client, String... names) {
    Objects.requireNonNull(file, "file");
    if (names.length == 0) {
      throw new IllegalArgumentException("at least one name is needed");
    }
    KeyPair issued = keyPair();
    X509Certificate signed =
        CertificateSigner.issue(certificate, keys.getPrivate(), issued, from, to, client, names);
    Path certPem = writePem(folder.resolve(file + ".pem"), "CERTIFICATE", encoded(signed));
    Path keyPem =
        writePem(folder.resolve(file + ".key"), "PRIVATE KEY", issued.getPrivate().getEncoded());
    return new Issued(certPem, keyPem, signed, issued.getPrivate(), certificate);
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path writePem(Path file, String type, byte[] der) {
    String pem =
        "-----BEGIN "
            + type
            + "-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
            + "\n-----END "
            + type
            + "-----\n";
    try {
      return Files.writeString(file, pem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "TestCertificateAuthority[" + name + "]";
  }
}
