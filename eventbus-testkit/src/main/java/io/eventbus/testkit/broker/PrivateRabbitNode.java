package io.eventbus.testkit.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RabbitMQ node of the tests' own, started from the installed {@code rabbitmq-server} with its
 * own node name ({@code eventbus-tk-<n>@localhost}), AMQP port ({@code 5700 + n}), Erlang
 * distribution port ({@code 25700 + n}), Erlang cookie and data directory under a temporary folder,
 * for {@code n} from 0 to 9. With a {@link NodeConfig}, it can also listen with TLS ({@code 5740 +
 * n}), serve the management API ({@code 15740 + n}) and run plugins. Fault tests may stop, restart
 * or overload it freely, unlike the shared node on 5672, which this class never touches.
 *
 * <pre>{@code
 * try (PrivateRabbitNode node = PrivateRabbitNode.start()) {
 *   Transport transport = RabbitTransport.builder().uri(node.uri()).build();
 *   ...
 *   node.rabbitmqctl("close_all_connections", "test");
 * }
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #start()} returns once the node accepts AMQP connections (a few seconds). {@link #close()}
 * stops the node with {@code rabbitmqctl -n <node> stop}, waits for its process to end and deletes
 * its folder; a JVM shutdown hook does the same if the node is still running then. Idempotent.
 *
 * <h2>Failures</h2>
 *
 * {@link #start()} throws {@link IllegalStateException} if rabbitmq-server is not installed, no
 * slot is free, or the node does not start within a minute; its log folder is named in the message.
 */
public final class PrivateRabbitNode implements Broker {
  private static final Logger log = LoggerFactory.getLogger(PrivateRabbitNode.class);

  /** Where Debian's rabbitmq-server installs its versions. */
  static final Path INSTALL_ROOT = Path.of("/usr/lib/rabbitmq/lib");

  /** The first AMQP port; slot {@code n} uses {@code FIRST_AMQP_PORT + n}. */
  public static final int FIRST_AMQP_PORT = 5700;

  /** The first Erlang distribution port; slot {@code n} uses {@code FIRST_DIST_PORT + n}. */
  public static final int FIRST_DIST_PORT = 25700;

  /** The first TLS port, used with {@link NodeConfig#withTls}; slot {@code n} uses {@code + n}. */
  public static final int FIRST_TLS_PORT = 5740;

  /** The first management API port, used with {@link NodeConfig#withManagement()}. */
  public static final int FIRST_MANAGEMENT_PORT = 15740;

  /** How many slots (nodes at once) there are. */
  public static final int SLOTS = 10;

  private final Path folder;
  private final String nodeName;
  private final int port;
  private final int tlsPort;
  private final int managementPort;
  private final NodeConfig config;
  private final NodeFiles files;
  private final NodeCommands commands;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;

  private PrivateRabbitNode(Path sbin, Path folder, int slot, NodeConfig config) {
    this.folder = folder;
    this.nodeName = "eventbus-tk-" + slot + "@localhost";
    this.port = FIRST_AMQP_PORT + slot;
    this.tlsPort = FIRST_TLS_PORT + slot;
    this.managementPort = FIRST_MANAGEMENT_PORT + slot;
    this.config = config;
    this.files =
        new NodeFiles(
            folder, nodeName, port, FIRST_DIST_PORT + slot, tlsPort, managementPort, config);
    this.commands = new NodeCommands(sbin, files);
    this.shutdownHook = new Thread(this::stop, "eventbus-private-node-stop");
  }

  /**
   * The {@code sbin} folder of the newest rabbitmq-server installed under {@code
   * /usr/lib/rabbitmq/lib}, if any.
   */
  public static Optional<Path> installation() {
    if (!Files.isDirectory(INSTALL_ROOT)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(INSTALL_ROOT)) {
      return versions
          .filter(p -> p.getFileName().toString().startsWith("rabbitmq_server-"))
          .map(p -> p.resolve("sbin"))
          .filter(p -> Files.isExecutable(p.resolve("rabbitmq-server")))
          .max(Comparator.comparing(PrivateRabbitNode::version));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Starts a node from the newest installed rabbitmq-server in the first free slot. */
  public static PrivateRabbitNode start() {
    return start(NodeConfig.defaults());
  }

  /**
   * Starts a node with {@code config} (TLS, management, plugins) from the newest installed
   * rabbitmq-server in the first free slot.
   */
  public static PrivateRabbitNode start(NodeConfig config) {
    return start(
        installation()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "rabbitmq-server is not installed under " + INSTALL_ROOT)),
        null,
        config);
  }

  /**
   * Starts {@code size} nodes that share an Erlang cookie and joins them into one cluster; the
   * first in the list is the one the others joined. Close each node when done (closing stops it
   * without removing it from the cluster, which is then thrown away with its folders).
   *
   * @throws IllegalStateException if a node does not start or join; the ones started are stopped
   */
  public static List<PrivateRabbitNode> startCluster(int size) {
    if (size < 1 || size > SLOTS) {
      throw new IllegalArgumentException("size must be 1 to " + SLOTS + ", was " + size);
    }
    Path sbin =
        installation()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "rabbitmq-server is not installed under " + INSTALL_ROOT));
    String cookie =
        "eventbus" + Long.toHexString(new SecureRandom().nextLong()).toUpperCase(Locale.ROOT);
    List<PrivateRabbitNode> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        nodes.add(start(sbin, cookie, NodeConfig.defaults()));
      }
      PrivateRabbitNode seed = nodes.get(0);
      for (PrivateRabbitNode node : nodes.subList(1, size)) {
        node.rabbitmqctl("stop_app");
        node.rabbitmqctl("join_cluster", seed.nodeName());
        node.rabbitmqctl("start_app");
      }
      return List.copyOf(nodes);
    } catch (RuntimeException e) {
      nodes.forEach(PrivateRabbitNode::close);
      throw e;
    }
  }

  static PrivateRabbitNode start(Path sbin) {
    return start(sbin, null, NodeConfig.defaults());
  }

  private static PrivateRabbitNode start(Path sbin, @Nullable String cookie, NodeConfig config) {
    List<String> failures = new ArrayList<>();
    for (int slot = 0; slot < SLOTS; slot++) {
      if (!free(FIRST_AMQP_PORT + slot)
          || !free(FIRST_DIST_PORT + slot)
          || (config.tls() != null && !free(FIRST_TLS_PORT + slot))
          || (config.management() && !free(FIRST_MANAGEMENT_PORT + slot))) {
        continue;
      }
      Path folder;
      try {
        folder = Files.createTempDirectory("eventbus-tk-node-" + slot + "-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      PrivateRabbitNode node = new PrivateRabbitNode(sbin, folder, slot, config);
      try {
        node.launch(cookie);
        return node;
      } catch (RuntimeException e) {
        failures.add(node.nodeName + ": " + e.getMessage());
        node.close();
      }
    }
    throw new IllegalStateException(
        "No private RabbitMQ node started"
            + (failures.isEmpty() ? ": all " + SLOTS + " slots are taken" : ": " + failures));
  }

  private void launch(@Nullable String cookie) {
    files.write(cookie);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    log.info("Starting private RabbitMQ node {} on 127.0.0.1:{}", nodeName, port);
    commands.startDetached();
    rabbitmqctl(
        "wait", files.pidFile().toString(), "--timeout", "" + NodeCommands.TIMEOUT.toSeconds());
    if (!Probes.answers("127.0.0.1", port)) {
      throw new IllegalStateException(
          "node " + nodeName + " runs but does not accept AMQP on port " + port);
    }
    if (config.tls() != null && !Probes.answers("127.0.0.1", tlsPort)) {
      throw new IllegalStateException(
          "node " + nodeName + " runs but does not accept TLS on port " + tlsPort);
    }
    if (config.management()) {
      // The management listener starts with its plugin, a little after the node says it runs.
      long until = System.nanoTime() + NodeCommands.TIMEOUT.toNanos();
      while (!Probes.answers("127.0.0.1", managementPort)) {
        if (System.nanoTime() > until) {
          throw new IllegalStateException(
              "node " + nodeName + " does not serve the management API on " + managementPort);
        }
        try {
          TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while " + nodeName + " started", e);
        }
      }
    }
  }

  /**
   * Runs {@code rabbitmqctl -n <this node> args...} and returns its output.
   *
   * @throws IllegalStateException if it fails or takes over a minute
   */
  public String rabbitmqctl(String... args) {
    return commands.rabbitmqctl(args);
  }

  /** The node's name, such as {@code eventbus-tk-0@localhost}. */
  public String nodeName() {
    return nodeName;
  }

  /** The node's folder (data, logs, cookie), deleted on close. */
  public Path folder() {
    return folder;
  }

  @Override
  public String uri() {
    return "amqp://guest:guest@127.0.0.1:" + port;
  }

  /**
   * The TLS listener's URI with {@code host} (such as {@code localhost}, which the certificate must
   * name, or {@code 127.0.0.1}), as guest.
   *
   * @throws IllegalStateException if the node has no TLS listener
   */
  public String tlsUri(String host) {
    return "amqps://guest:guest@" + host + ":" + tlsPort();
  }

  /**
   * The TLS listener's port.
   *
   * @throws IllegalStateException if the node has no TLS listener
   */
  public int tlsPort() {
    if (config.tls() == null) {
      throw new IllegalStateException(nodeName + " has no TLS listener (NodeConfig.withTls)");
    }
    return tlsPort;
  }

  /**
   * The management API's base URL, such as {@code http://127.0.0.1:15740}.
   *
   * @throws IllegalStateException if the node runs without the management plugin
   */
  public String managementUrl() {
    if (!config.management()) {
      throw new IllegalStateException(
          nodeName + " has no management API (NodeConfig.withManagement)");
    }
    return "http://127.0.0.1:" + managementPort;
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String description() {
    return "the private node " + nodeName + " on 127.0.0.1:" + port;
  }

  /** Stops the node and deletes its folder. Idempotent. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or has run.
    }
  }

  private void stop() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Path pid = files.pidFile();
    if (Files.exists(pid)) {
      try {
        rabbitmqctl("stop", pid.toString());
        log.info("Stopped private RabbitMQ node {}", nodeName);
      } catch (RuntimeException e) {
        log.warn("Could not stop {} cleanly: {}", nodeName, e.getMessage());
        killFromPidFile(pid);
      }
    }
    deleteRecursively(folder);
  }

  private void killFromPidFile(Path pid) {
    try {
      long id = Long.parseLong(Files.readString(pid).strip());
      ProcessHandle.of(id).ifPresent(ProcessHandle::destroyForcibly);
    } catch (IOException | NumberFormatException e) {
      log.warn("Could not read the pid of {}: {}", nodeName, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "PrivateRabbitNode[" + nodeName + ", port " + port + "]";
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Orders {@code rabbitmq_server-3.10.8} before {@code rabbitmq_server-3.13.1} numerically. */
  static String version(Path sbin) {
    String name = sbin.getParent().getFileName().toString().replace("rabbitmq_server-", "");
    StringBuilder key = new StringBuilder();
    for (String part : name.split("[.-]")) {
      key.append(
          String.format(
              "%08d",
              part.chars().allMatch(Character::isDigit) && !part.isEmpty()
                  ? Integer.parseInt(part)
                  : 0));
    }
    return key.toString();
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("Could not delete {}: {}", root, e.getMessage());
    }
  }
}
