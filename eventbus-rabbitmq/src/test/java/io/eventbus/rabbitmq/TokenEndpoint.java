package io.eventbus.rabbitmq;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OAuth 2.0 token endpoint of the test's own on loopback: the client credentials grant for one
 * client, answered with JWTs signed RS256 by a key whose public half a RabbitMQ node is configured
 * to trust ({@code auth_oauth2.signing_keys}).
 */
final class TokenEndpoint implements AutoCloseable {
  static final String KEY_ID = "eventbus-test-key";

  private final KeyPair keys;
  private final HttpServer server;
  private final String clientId;
  private final String clientSecret;
  private final Duration lifetime;
  private final AtomicInteger issued = new AtomicInteger();

  TokenEndpoint(String clientId, String clientSecret, Duration lifetime) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.lifetime = lifetime;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      keys = generator.generateKeyPair();
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
    server.createContext(
        "/oauth/token",
        exchange -> {
          String form =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String body;
          int status;
          if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            status = 401;
            body = "{\"error\":\"invalid_client\"}";
          } else if (!form.contains("grant_type=client_credentials")) {
            status = 400;
            body = "{\"error\":\"unsupported_grant_type\"}";
          } else {
            status = 200;
            body =
                "{\"access_token\":\""
                    + token(Instant.now())
                    + "\",\"token_type\":\"bearer\",\"expires_in\":"
                    + lifetime.toSeconds()
                    + "}";
            issued.incrementAndGet();
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
  }

  /** A signed token for the client, valid for the lifetime from {@code now}. */
  String token(Instant now) {
    String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + KEY_ID + "\"}";
    String claims =
        "{\"sub\":\""
            + clientId
            + "\",\"client_id\":\""
            + clientId
            + "\",\"aud\":[\"rabbitmq\"],\"scope\":[\"rabbitmq.configure:*/*\","
            + "\"rabbitmq.write:*/*\",\"rabbitmq.read:*/*\","
            // Topic exchanges check routing keys too: <vhost>/<exchange>/<routing key>.
            + "\"rabbitmq.write:*/*/*\",\"rabbitmq.read:*/*/*\"],\"iat\":"
            + now.getEpochSecond()
            + ",\"exp\":"
            + now.plus(lifetime).getEpochSecond()
            + ",\"jti\":\""
            + issued.get()
            + "\"}";
    String signingInput = base64Url(header) + "." + base64Url(claims);
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(keys.getPrivate());
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput
          + "."
          + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the public key as PEM, for {@code auth_oauth2.signing_keys}. */
  Path writePublicKey(Path file) {
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(keys.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    try {
      return Files.writeString(file, pem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/oauth/token");
  }

  /** How many tokens it has issued. */
  int issued() {
    return issued.get();
  }

  private static String base64Url(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
