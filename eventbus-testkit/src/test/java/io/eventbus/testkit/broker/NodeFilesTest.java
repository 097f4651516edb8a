package io.eventbus.testkit.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a private node's folder and environment hold, without starting a node. */
class NodeFilesTest {
  @TempDir Path folder;

  private NodeFiles files(NodeConfig config) {
    return new NodeFiles(folder, "eventbus-tk-3@localhost", 5703, 25703, 5743, 15743, config);
  }

  @Test
  void aPlainNodeListensOnLoopbackOnlyAndRunsNoPlugins() {
    NodeFiles files = files(NodeConfig.defaults());

    assertThat(files.configFile())
        .isEqualTo("loopback_users = none\nlisteners.tcp.default = 127.0.0.1:5703\n");
    assertThat(files.pluginsFile()).isEqualTo("[].\n");
    assertThat(files.environment())
        .containsEntry("RABBITMQ_NODENAME", "eventbus-tk-3@localhost")
        .containsEntry("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
        .containsEntry("RABBITMQ_NODE_PORT", "5703")
        .containsEntry("RABBITMQ_DIST_PORT", "25703")
        .containsEntry("HOME", folder.resolve("home").toString())
        .containsEntry("RABBITMQ_PID_FILE", folder.resolve("pid").toString())
        .containsEntry(
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}")
        .doesNotContainKey("RABBITMQ_ADVANCED_CONFIG_FILE");
  }

  @Test
  void tlsManagementPluginsAndExtraLinesGoIntoTheFilesInOrder() {
    NodeConfig config =
        NodeConfig.defaults()
            .withTls(
                NodeConfig.Tls.of(Path.of("/c/ca.pem"), Path.of("/c/node.pem"), Path.of("/c/key"))
                    .requiringClientCertificates())
            .withManagement()
            .withPlugins("rabbitmq_auth_mechanism_ssl")
            .withConfig("auth_mechanisms.1 = EXTERNAL")
            .withAdvancedConfig("[].");

    NodeFiles files = files(config);

    assertThat(files.configFile())
        .isEqualTo(
            "loopback_users = none\n"
                + "listeners.tcp.default = 127.0.0.1:5703\n"
                + "listeners.ssl.default = 127.0.0.1:5743\n"
                + "ssl_options.cacertfile = /c/ca.pem\n"
                + "ssl_options.certfile = /c/node.pem\n"
                + "ssl_options.keyfile = /c/key\n"
                + "ssl_options.verify = verify_peer\n"
                + "ssl_options.fail_if_no_peer_cert = true\n"
                + "management.tcp.ip = 127.0.0.1\n"
                + "management.tcp.port = 15743\n"
                + "auth_mechanisms.1 = EXTERNAL\n");
    assertThat(files.pluginsFile())
        .isEqualTo("[rabbitmq_auth_mechanism_ssl,rabbitmq_management].\n");
    assertThat(files.environment())
        .containsEntry(
            "RABBITMQ_ADVANCED_CONFIG_FILE", folder.resolve("advanced.config").toString());
  }

  @Test
  void writingLaysOutTheFolderWithACookieOnlyItsOwnerCanRead() throws IOException {
    NodeFiles files = files(NodeConfig.defaults().withAdvancedConfig("[{rabbit, []}]."));

    files.write("EVENTBUSCOOKIE");

    assertThat(folder.resolve("mnesia")).isDirectory();
    assertThat(files.logFolder()).isDirectory();
    assertThat(folder.resolve("rabbitmq.conf")).hasContent(files.configFile());
    assertThat(folder.resolve("enabled_plugins")).hasContent("[].");
    assertThat(folder.resolve("advanced.config")).hasContent("[{rabbit, []}].");
    Path cookie = folder.resolve("home").resolve(".erlang.cookie");
    assertThat(cookie).hasContent("EVENTBUSCOOKIE");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cookie)))
        .isEqualTo("r--------");
  }

  @Test
  void withoutACookieTheNodeMakesItsOwn() {
    files(NodeConfig.defaults()).write(null);

    assertThat(folder.resolve("home")).isEmptyDirectory();
  }
}
