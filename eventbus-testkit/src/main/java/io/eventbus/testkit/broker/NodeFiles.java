package io.eventbus.testkit.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Lays out a private node's folder and environment: {@code home} (with the Erlang cookie, if
 * given), {@code mnesia}, {@code log}, {@code rabbitmq.conf}, {@code enabled_plugins} and {@code
 * advanced.config}, and the {@code RABBITMQ_*} variables that point the node at them. Every
 * listener is on 127.0.0.1. Immutable.
 *
 * @param folder the node's folder
 * @param nodeName its Erlang node name
 * @param port its AMQP port
 * @param distPort its Erlang distribution port
 * @param tlsPort its TLS port, used if {@code config} has TLS
 * @param managementPort its management API port, used if {@code config} has management
 * @param config what else it runs
 */
record NodeFiles(
    Path folder,
    String nodeName,
    int port,
    int distPort,
    int tlsPort,
    int managementPort,
    NodeConfig config) {

  /** The environment of the node and of every command run against it. */
  Map<String, String> environment() {
    Map<String, String> environment = new HashMap<>();
    environment.put("HOME", folder.resolve("home").toString());
    environment.put("RABBITMQ_NODENAME", nodeName);
    environment.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
    environment.put("RABBITMQ_NODE_PORT", Integer.toString(port));
    environment.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
    environment.put("RABBITMQ_MNESIA_BASE", folder.resolve("mnesia").toString());
    environment.put("RABBITMQ_LOG_BASE", folder.resolve("log").toString());
    environment.put("RABBITMQ_PID_FILE", pidFile().toString());
    environment.put("RABBITMQ_CONFIG_FILE", folder.resolve("rabbitmq.conf").toString());
    environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", folder.resolve("enabled_plugins").toString());
    environment.put(
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
    if (config.advancedConfig() != null) {
      environment.put(
          "RABBITMQ_ADVANCED_CONFIG_FILE", folder.resolve("advanced.config").toString());
    }
    return environment;
  }

  /** Where the node writes its process id. */
  Path pidFile() {
    return folder.resolve("pid");
  }

  /** Where the node writes its logs. */
  Path logFolder() {
    return folder.resolve("log");
  }

  /**
   * Creates the folders and writes the files; with a {@code cookie}, also the Erlang cookie, which
   * the nodes of one cluster and the CLI talking to them must share.
   *
   * @throws UncheckedIOException if a file cannot be written
   */
  void write(@Nullable String cookie) {
    try {
      Files.createDirectories(folder.resolve("home"));
      if (cookie != null) {
        // Erlang only accepts a cookie from a file its owner alone can read.
        Path file = folder.resolve("home").resolve(".erlang.cookie");
        Files.writeString(file, cookie);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
      }
      Files.createDirectories(folder.resolve("mnesia"));
      Files.createDirectories(logFolder());
      Files.writeString(folder.resolve("rabbitmq.conf"), configFile());
      Files.writeString(folder.resolve("enabled_plugins"), pluginsFile());
      if (config.advancedConfig() != null) {
        Files.writeString(folder.resolve("advanced.config"), config.advancedConfig());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The text of {@code rabbitmq.conf}: listeners, TLS options, management, then the extra lines.
   */
  String configFile() {
    StringBuilder file = new StringBuilder();
    file.append("loopback_users = none\n");
    file.append("listeners.tcp.default = 127.0.0.1:").append(port).append('\n');
    NodeConfig.Tls tls = config.tls();
    if (tls != null) {
      file.append("listeners.ssl.default = 127.0.0.1:").append(tlsPort).append('\n');
      file.append("ssl_options.cacertfile = ").append(tls.caCertificates()).append('\n');
      file.append("ssl_options.certfile = ").append(tls.certificate()).append('\n');
      file.append("ssl_options.keyfile = ").append(tls.privateKey()).append('\n');
      file.append("ssl_options.verify = ")
          .append(tls.verifyPeer() ? "verify_peer" : "verify_none")
          .append('\n');
      file.append("ssl_options.fail_if_no_peer_cert = ")
          .append(tls.requireClientCertificate())
          .append('\n');
    }
    if (config.management()) {
      file.append("management.tcp.ip = 127.0.0.1\n");
      file.append("management.tcp.port = ").append(managementPort).append('\n');
    }
    config.config().forEach(line -> file.append(line).append('\n'));
    return file.toString();
  }

  /** The text of {@code enabled_plugins}: the configured plugins, and management if asked for. */
  String pluginsFile() {
    List<String> plugins = new ArrayList<>(config.plugins());
    if (config.management() && !plugins.contains("rabbitmq_management")) {
      plugins.add("rabbitmq_management");
    }
    return "[" + String.join(",", plugins) + "].\n";
  }
}
