package io.eventbus.testkit.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link PrivateRabbitNode} runs with beyond its defaults: plugins, a TLS listener, the
 * management API, more {@code rabbitmq.conf} lines, an {@code advanced.config}. Immutable; start
 * from {@link #defaults()} and derive with the {@code with*} methods.
 *
 * <pre>{@code
 * PrivateRabbitNode node = PrivateRabbitNode.start(NodeConfig.defaults()
 *     .withTls(NodeConfig.Tls.of(caPem, serverPem, serverKeyPem).requiringClientCertificates())
 *     .withManagement());
 * node.tlsUri("localhost");   // amqps://guest:guest@localhost:5740
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Immutable and thread-safe.
 *
 * @param plugins plugins to enable besides those the other settings need
 * @param tls the TLS listener's files and checks, or null for none
 * @param management whether the management plugin and its HTTP API run
 * @param config more lines for {@code rabbitmq.conf}
 * @param advancedConfig the content of {@code advanced.config} (Erlang terms), or null for none
 */
public record NodeConfig(
    List<String> plugins,
    @Nullable Tls tls,
    boolean management,
    List<String> config,
    @Nullable String advancedConfig) {

  /** Copies the lists. */
  public NodeConfig {
    plugins = List.copyOf(plugins);
    config = List.copyOf(config);
  }

  /** No plugins, no TLS, nothing more: a plain AMQP node. */
  public static NodeConfig defaults() {
    return new NodeConfig(List.of(), null, false, List.of(), null);
  }

  /** A copy that also enables {@code plugins}. */
  public NodeConfig withPlugins(String... plugins) {
    List<String> all = new ArrayList<>(this.plugins);
    all.addAll(List.of(plugins));
    return new NodeConfig(all, tls, management, config, advancedConfig);
  }

  /** A copy with a TLS listener on the node's TLS port. */
  public NodeConfig withTls(Tls tls) {
    return new NodeConfig(
        plugins, Objects.requireNonNull(tls, "tls"), management, config, advancedConfig);
  }

  /** A copy with the management plugin, its HTTP API on the node's management port. */
  public NodeConfig withManagement() {
    return new NodeConfig(plugins, tls, true, config, advancedConfig);
  }

  /** A copy with more {@code rabbitmq.conf} lines, such as {@code auth_backends.1 = oauth2}. */
  public NodeConfig withConfig(String... lines) {
    List<String> all = new ArrayList<>(this.config);
    all.addAll(List.of(lines));
    return new NodeConfig(plugins, tls, management, all, advancedConfig);
  }

  /** A copy with this {@code advanced.config} (Erlang terms ending with a period). */
  public NodeConfig withAdvancedConfig(String erlangTerms) {
    return new NodeConfig(
        plugins, tls, management, config, Objects.requireNonNull(erlangTerms, "erlangTerms"));
  }

  /**
   * The TLS listener's PEM files (Erlang reads PEM only) and whether it asks clients for a
   * certificate.
   *
   * @param caCertificates the CA certificates the node trusts for client certificates
   * @param certificate the node's certificate (chain)
   * @param privateKey the node's private key, unencrypted
   * @param verifyPeer whether the node asks for and checks a client certificate
   * @param requireClientCertificate whether a client without one is refused
   */
  public record Tls(
      Path caCertificates,
      Path certificate,
      Path privateKey,
      boolean verifyPeer,
      boolean requireClientCertificate) {
    /** Checks for nulls. */
    public Tls {
      Objects.requireNonNull(caCertificates, "caCertificates");
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(privateKey, "privateKey");
    }

    /** A listener that does not ask for client certificates. */
    public static Tls of(Path caCertificates, Path certificate, Path privateKey) {
      return new Tls(caCertificates, certificate, privateKey, false, false);
    }

    /** A copy that asks for a client certificate and refuses clients without one. */
    public Tls requiringClientCertificates() {
      return new Tls(caCertificates, certificate, privateKey, true, true);
    }
  }
}
