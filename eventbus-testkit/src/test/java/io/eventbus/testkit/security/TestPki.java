package io.eventbus.testkit.security;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
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
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority of the test's own, made fresh in a folder: its certificate, and
 * certificates it issues for servers and clients, as PEM files (what Erlang reads) and PKCS#12 key
 * stores (what Java reads). EC P-256 keys, SHA-256 signatures.
 */
final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path folder;
  private final String name;
  private final KeyPair keys;
  private final X509Certificate certificate;
  private final Path certificatePem;

  /** What a CA issued: the files and the objects. */
  record Issued(
      Path certificatePem,
      Path privateKeyPem,
      X509Certificate certificate,
      PrivateKey key,
      X509Certificate ca) {
    /** A PKCS#12 key store holding the key and its chain, protected by {@code password}. */
    Path pkcs12(char[] password) {
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

  private TestPki(Path folder, String name) {
    this.folder = folder;
    this.name = name;
    this.keys = keyPair();
    Instant now = Instant.now();
    X500Name subject = new X500Name("CN=" + name + ",O=eventbus tests");
    try {
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              serial(),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(2))),
              subject,
              keys.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(keys.getPublic()));
      this.certificate = sign(builder, keys.getPrivate());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    this.certificatePem =
        writePem(folder.resolve(name + "-ca.pem"), "CERTIFICATE", encoded(certificate));
  }

  /** A new CA named {@code name}, its files in {@code folder}. */
  static TestPki create(Path folder, String name) {
    return new TestPki(folder, name);
  }

  /** The CA's certificate, PEM. */
  Path certificatePem() {
    return certificatePem;
  }

  /** A server certificate for {@code dnsNames}, valid from an hour ago for a day. */
  Issued server(String file, String... dnsNames) {
    Instant now = Instant.now();
    return issue(
        file, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), false, dnsNames);
  }

  /** A server certificate for {@code dnsNames} that expired yesterday. */
  Issued expiredServer(String file, String... dnsNames) {
    Instant now = Instant.now();
    return issue(
        file, now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)), false, dnsNames);
  }

  /** A client certificate for {@code commonName}. */
  Issued client(String file, String commonName) {
    Instant now = Instant.now();
    return issue(
        file, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), true, commonName);
  }

  private Issued issue(String file, Instant from, Instant to, boolean client, String... names) {
    KeyPair issued = keyPair();
    try {
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              certificate,
              serial(),
              Date.from(from),
              Date.from(to),
              new X500Name("CN=" + names[0] + ",O=eventbus tests"),
              issued.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              client ? KeyPurposeId.id_kp_clientAuth : KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(certificate));
      if (!client) {
        GeneralName[] altNames =
            List.of(names).stream()
                .map(dns -> new GeneralName(GeneralName.dNSName, dns))
                .toArray(GeneralName[]::new);
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames));
      }
      X509Certificate signed = sign(builder, keys.getPrivate());
      Path certPem = writePem(folder.resolve(file + ".pem"), "CERTIFICATE", encoded(signed));
      Path keyPem =
          writePem(folder.resolve(file + ".key"), "PRIVATE KEY", issued.getPrivate().getEncoded());
      return new Issued(certPem, keyPem, signed, issued.getPrivate(), certificate);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws GeneralSecurityException {
    try {
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
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

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).abs().add(BigInteger.ONE);
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
    return "TestPki[" + name + "]";
  }
}
