package io.eventbus.testkit.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The real probes behind {@link Brokers#provide()}; each answers within about a second. */
final class Probes {
  private static final int TIMEOUT_MILLIS = 1_000;

  private Probes() {}

  /** Whether something accepts TCP connections on {@code host:port}. */
  static boolean answers(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Whether a Docker engine answers {@code GET /_ping}: at {@code DOCKER_HOST} if set, else at the
   * usual Unix sockets.
   */
  static boolean dockerAnswers(@Nullable String dockerHost, @Nullable String home) {
    List<Path> sockets = new ArrayList<>();
    if (dockerHost != null && !dockerHost.isBlank()) {
      URI uri = URI.create(dockerHost);
      if ("tcp".equals(uri.getScheme())) {
        return pingTcp(uri.getHost(), uri.getPort() == -1 ? 2375 : uri.getPort());
      }
      if ("unix".equals(uri.getScheme())) {
        sockets.add(Path.of(uri.getPath()));
      }
    } else {
      sockets.add(Path.of("/var/run/docker.sock"));
      if (home != null) {
        sockets.add(Path.of(home, ".docker", "run", "docker.sock"));
      }
    }
    for (Path socket : sockets) {
      if (Files.exists(socket) && withTimeout(() -> pingUnix(socket))) {
        return true;
      }
    }
    return false;
  }

  /** Unix socket channels have no read timeout: bound the whole probe instead. */
  private static boolean withTimeout(java.util.function.BooleanSupplier probe) {
    try {
      return java.util.concurrent.CompletableFuture.supplyAsync(probe::getAsBoolean)
          .get(TIMEOUT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static final byte[] PING =
      "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private static boolean pingTcp(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      out.write(PING);
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readNBytes(12), StandardCharsets.US_ASCII).contains(" 200");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean pingUnix(Path path) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(path));
      channel.write(ByteBuffer.wrap(PING));
      ByteBuffer reply = ByteBuffer.allocate(12);
      while (reply.hasRemaining() && channel.read(reply) >= 0) {
        // Docker answers at once; a blocking read of 12 bytes is bounded by its reply.
      }
      return new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII)
          .contains(" 200");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Whether the optional Testcontainers RabbitMQ module is on the class path. */
  static boolean testcontainersPresent() {
    try {
      Class.forName(
          "org.testcontainers.rabbitmq.RabbitMQContainer", false, Probes.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
