package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.spi.TransportSettings;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.junit5.Requirements;
import java.net.InetAddress;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The names the broker lists for the transport's two connections, read with {@code rabbitmqctl
 * list_connections client_properties} on a private node (so that no other test's connections are
 * listed).
 */
class ConnectionNamesIT {
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  private static PrivateRabbitNode node;

  @BeforeAll
  static void startNode() {
    Requirements.require(
        "rabbitmq-server (for a private node)",
        PrivateRabbitNode.installation().isPresent(),
        "Install it with 'sudo apt-get install rabbitmq-server'.");
    node = PrivateRabbitNode.start();
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  /**
   * The {@code connection_name} client property of every connection the node has that starts with
   * {@code prefix} (connections of an earlier test may still be closing).
   */
  private static List<String> connectionNames(String prefix) {
    return node.rabbitmqctl("list_connections", "client_properties")
        .lines()
        .filter(line -> line.contains("connection_name"))
        .map(
            line -> {
              String after = line.substring(line.indexOf("connection_name") + 15);
              Matcher quoted = QUOTED.matcher(after.startsWith("\"") ? after.substring(1) : after);
              if (!quoted.find()) {
                throw new AssertionError("No connection name in: " + line);
              }
              return quoted.group(1);
            })
        .filter(name -> name.startsWith(prefix))
        .sorted()
        .toList();
  }

  @Test
  void theConnectionsAreNamedAfterTheApplicationAndTheirRole() {
    try (RabbitTransport transport =
        RabbitTransport.builder().uri(node.uri()).applicationName("inventory").build()) {
      assertThat(connectionNames("inventory-"))
          .containsExactly("inventory-consume", "inventory-publish");
    }
  }

  @Test
  void withoutANameTheConnectionsAreNamedAfterTheHost() throws Exception {
    String host = InetAddress.getLocalHost().getHostName();
    if (System.getProperty(TransportSettings.APPLICATION_PROPERTY) != null
        || System.getenv(TransportSettings.APPLICATION_VARIABLE) != null) {
      host = TransportSettings.defaultApplicationName();
    }
    try (RabbitTransport transport = RabbitTransport.builder().uri(node.uri()).build()) {
      assertThat(connectionNames(host + "-")).containsExactly(host + "-consume", host + "-publish");
    }
  }

  @Test
  void anExplicitConnectionNameTakesPrecedenceOverTheApplicationName() {
    try (RabbitTransport transport =
        RabbitTransport.builder()
            .uri(node.uri())
            .applicationName("billing")
            .connectionName("billing-eu-1")
            .build()) {
      assertThat(connectionNames("billing-eu-1"))
          .containsExactly("billing-eu-1-consume", "billing-eu-1-publish");
    }
  }
}
