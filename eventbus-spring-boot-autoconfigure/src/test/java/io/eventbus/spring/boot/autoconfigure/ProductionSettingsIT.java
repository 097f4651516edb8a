package io.eventbus.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.eventbus.EventHandler;
import io.eventbus.EventPublisher;
import io.eventbus.rabbitmq.Credentials;
import io.eventbus.rabbitmq.CredentialsSource;
import io.eventbus.rabbitmq.TlsVerificationException;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.spring.boot.test.RecordEvents;
import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.broker.NodeConfig;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.broker.TestCertificateAuthority;
import io.eventbus.testkit.junit5.Requirements;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The production settings in a real Spring Boot application against a private node that speaks TLS
 * only to clients with a certificate: an SSL bundle's trust and key stores, the user's password
 * from a file, from a property, or from a {@link CredentialsSource} bean; and no password (of the
 * user, or of a key store) in the logs, the properties' {@code toString()} or Actuator's {@code
 * configprops} and {@code env} endpoints over HTTP.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProductionSettingsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir static Path secrets;

  private static TestCertificateAuthority ca;
  private static PrivateRabbitNode node;
  private static String filePassword;
  private static String propertyPassword;
  private static String keyStorePassword;
  private static String trustStorePassword;
  private static TestCertificateAuthority.Issued pemClient;

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

  @BeforeAll
  static void startNode() throws Exception {
    Requirements.require(
        "rabbitmq-server (for a private node with TLS)",
        PrivateRabbitNode.installation().isPresent(),
        "Install it with 'sudo apt-get install rabbitmq-server'.");
    ca = TestCertificateAuthority.create(secrets, "spring2-ca");
    TestCertificateAuthority.Issued server = ca.server("localhost", "localhost");
    node =
        PrivateRabbitNode.start(
            NodeConfig.defaults()
                .withTls(
                    NodeConfig.Tls.of(
                            ca.certificatePem(), server.certificatePem(), server.privateKeyPem())
                        .requiringClientCertificates()));
    // Canaries: secrets that must never be shown.
    filePassword = "canary-file-" + UUID.randomUUID();
    propertyPassword = "canary-property-" + UUID.randomUUID();
    keyStorePassword = "canary-keystore-" + UUID.randomUUID();
    trustStorePassword = "canary-truststore-" + UUID.randomUUID();
    addUser("orders", filePassword);
    addUser("orders-by-property", propertyPassword);
    Files.writeString(secrets.resolve("rabbitmq-password"), filePassword + "\n");
    Files.move(
        ca.client("client", "orders").pkcs12(keyStorePassword.toCharArray()),
        secrets.resolve("client.p12"));
    pemClient = ca.client("pem-client", "orders");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    try (OutputStream out = Files.newOutputStream(secrets.resolve("truststore.p12"))) {
      trust.store(out, trustStorePassword.toCharArray());
    }
  }

  private static void addUser(String name, String password) {
    node.rabbitmqctl("add_user", name, password);
    node.rabbitmqctl("set_permissions", "-p", "/", name, ".*", ".*", ".*");
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @AfterEach
  void close() {
    contexts.forEach(ConfigurableApplicationContext::close);
  }

  @Test
  void connectsWithMutualTlsFromAnSslBundleAndAPasswordFileAndShowsNoSecret(CapturedOutput output)
      throws Exception {
    ConfigurableApplicationContext context =
        start(
            "--spring.config.location=classpath:/production.properties",
            "--TRUSTSTORE_PASSWORD=" + trustStorePassword,
            "--KEYSTORE_PASSWORD=" + keyStorePassword);

    roundTrip(context);

    String configprops = get(context, "/actuator/configprops");
    String env = get(context, "/actuator/env");
    assertThat(configprops).contains("\"prefix\":\"eventbus\"");
    assertThat(env).contains("eventbus.rabbitmq.password-file");
    for (String shown :
        List.of(
            configprops,
            env,
            output.getAll(),
            context.getBean(EventBusProperties.class).toString())) {
      assertThat(shown).doesNotContain(filePassword, keyStorePassword, trustStorePassword);
    }
  }

  @Test
  void actuatorShowingValuesStillMasksThePasswordPropertyAndTheUrisPasswords(CapturedOutput output)
      throws Exception {
    String uriPassword = "canary-uri-" + UUID.randomUUID();
    ConfigurableApplicationContext context =
        start(
            "--eventbus.rabbitmq.uri=amqps://localhost:" + node.tlsPort(),
            // Tried only if the first cannot be reached: here, never.
            "--eventbus.rabbitmq.failover-uris=amqps://orders:" + uriPassword + "@localhost:1",
            "--eventbus.rabbitmq.username=orders-by-property",
            "--eventbus.rabbitmq.password=" + propertyPassword,
            "--eventbus.rabbitmq.ssl.bundle=pem",
            "--spring.ssl.bundle.pem.pem.truststore.certificate=" + ca.certificatePem().toUri(),
            "--spring.ssl.bundle.pem.pem.keystore.certificate=" + clientPem("certificate"),
            "--spring.ssl.bundle.pem.pem.keystore.private-key=" + clientPem("key"),
            "--management.endpoint.configprops.show-values=always",
            "--management.endpoint.env.show-values=always");

    roundTrip(context);

    String configprops = get(context, "/actuator/configprops");
    String env = get(context, "/actuator/env");
    assertThat(configprops).contains("orders-by-property").contains("amqps://orders:******@");
    assertThat(env).contains("orders-by-property");
    for (String shown :
        List.of(
            configprops,
            env,
            output.getAll(),
            context.getBean(EventBusProperties.class).toString())) {
      assertThat(shown).doesNotContain(propertyPassword, uriPassword);
    }
  }

  @Test
  void usesTheApplicationsCredentialsSourceBean() throws Exception {
    AtomicInteger fetched = new AtomicInteger();
    CredentialsSource credentials =
        () -> {
          fetched.incrementAndGet();
          return Credentials.of("orders", filePassword);
        };
    ConfigurableApplicationContext context =
        start(
            builder ->
                builder.initializers(
                    created ->
                        created.getBeanFactory().registerSingleton("credentials", credentials)),
            "--eventbus.rabbitmq.uri=amqps://localhost:" + node.tlsPort(),
            "--eventbus.rabbitmq.ssl.bundle=pem",
            "--spring.ssl.bundle.pem.pem.truststore.certificate=" + ca.certificatePem().toUri(),
            "--spring.ssl.bundle.pem.pem.keystore.certificate=" + clientPem("certificate"),
            "--spring.ssl.bundle.pem.pem.keystore.private-key=" + clientPem("key"));

    roundTrip(context);
    assertThat(fetched.get()).as("credentials fetched from the bean").isPositive();
  }

  @Test
  void aBundleThatDoesNotTrustTheBrokersAuthorityFailsTheStartWithTheReason() {
    TestCertificateAuthority stranger = TestCertificateAuthority.create(secrets, "stranger-ca");

    Throwable failure =
        catchThrowable(
            () ->
                start(
                    "--eventbus.rabbitmq.uri=amqps://localhost:" + node.tlsPort(),
                    "--eventbus.rabbitmq.connect-timeout=5s",
                    "--eventbus.rabbitmq.username=orders",
                    "--eventbus.rabbitmq.password=" + propertyPassword,
                    "--eventbus.rabbitmq.ssl.bundle=stranger",
                    "--spring.ssl.bundle.pem.stranger.truststore.certificate="
                        + stranger.certificatePem().toUri()));

    TlsVerificationException tls = findCause(failure, TlsVerificationException.class);
    assertThat(tls.reason()).isEqualTo(TlsVerificationException.Reason.UNTRUSTED_CERTIFICATE);
    assertThat(failure.toString()).doesNotContain(propertyPassword);
  }

  private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + failure);
  }

  /** The PEM client certificate's file ({@code certificate}) or its key's, as a location. */
  private static String clientPem(String which) {
    return (which.equals("key") ? pemClient.privateKeyPem() : pemClient.certificatePem())
        .toUri()
        .toString();
  }

  private static void roundTrip(ConfigurableApplicationContext context) {
    context.getBean(EventPublisher.class).publishAndWait(new OrderPlaced("tls-1", 1));
    assertThat(
            context
                .getBean(EventRecorder.class)
                .awaitHandled("spring2-production", OrderPlaced.class, 1, TIMEOUT))
        .containsExactly(new OrderPlaced("tls-1", 1));
  }

  private ConfigurableApplicationContext start(String... args) {
    return start(builder -> builder, args);
  }

  private ConfigurableApplicationContext start(
      java.util.function.UnaryOperator<SpringApplicationBuilder> customize, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--broker.host=localhost");
    all.add("--broker.tls-port=" + node.tlsPort());
    all.add("--secrets=" + secrets);
    all.add("--spring.application.name=spring2-production");
    all.add("--server.port=0");
    all.add("--server.address=127.0.0.1");
    all.add("--management.endpoints.web.exposure.include=configprops,env,health");
    all.add("--logging.level.io.eventbus=DEBUG");
    all.add("--eventbus.rabbitmq.shutdown-timeout=5s");
    ConfigurableApplicationContext context =
        customize
            .apply(new SpringApplicationBuilder(Application.class))
            .run(all.toArray(String[]::new));
    contexts.add(context);
    return context;
  }

  private String get(ConfigurableApplicationContext context, String path) throws Exception {
    int port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body();
  }

  @Configuration(proxyBeanMethods = false)
  // No database here; the test class path has one's auto-configuration for the outbox tests.
  @EnableAutoConfiguration(exclude = DataSourceAutoConfiguration.class)
  @RecordEvents
  static class Application {
    @Bean
    Orders orders() {
      return new Orders();
    }
  }

  @EventSubscription("spring2-production")
  static class Orders {
    @EventHandler
    void on(OrderPlaced order) {}
  }
}
