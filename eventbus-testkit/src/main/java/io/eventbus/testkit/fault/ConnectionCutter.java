package io.eventbus.testkit.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on the loopback interface between a bus and its broker, for resilience tests: it can
 * cut every current connection, refuse new ones, freeze traffic and add latency, while the broker
 * itself (the shared one included) is left alone.
 *
 * <pre>{@code
 * try (ConnectionCutter cutter = ConnectionCutter.start(broker.host(), broker.port())) {
 *   Transport transport = RabbitTransport.builder().uri(cutter.proxiedUri(broker.uri())).build();
 *   ...
 *   cutter.cutAll();                  // the bus sees its connections reset
 *   cutter.refuseNewConnections();    // reconnects fail until acceptNewConnections()
 *   cutter.latency(Duration.ofMillis(100));
 *   cutter.freeze();                  // bytes wait in the proxy until unfreeze()
 * }
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe: faults may be switched from any thread while traffic flows. Each proxied connection
 * uses four daemon threads ({@code eventbus-cutter-*}), which is fine for the handful of
 * connections a test opens.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #start} listens on an ephemeral port of 127.0.0.1 at once. {@link #close()} stops
 * listening and cuts every connection; idempotent.
 *
 * <h2>Failures</h2>
 *
 * {@link #start} throws {@link IllegalArgumentException} for a target that is not a loopback
 * address: the cutter never connects anywhere else.
 */
public final class ConnectionCutter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConnectionCutter.class);
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicInteger serial = new AtomicInteger();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile boolean refusing;
  private volatile boolean frozen;
  private volatile long latencyNanos;
  private volatile boolean closed;

  private ConnectionCutter(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread acceptor = new Thread(this::accept, "eventbus-cutter-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * A proxy to {@code host:port}, which must be a loopback address.
   *
   * @throws IllegalArgumentException if {@code host} is not a loopback address
   */
  public static ConnectionCutter start(String host, int port) {
    Objects.requireNonNull(host, "host");
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("Unknown host " + host, e);
    }
    if (!address.isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "ConnectionCutter only proxies to loopback addresses, not " + host);
    }
    try {
      return new ConnectionCutter(new InetSocketAddress(address, port));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The address the proxy listens on: 127.0.0.1 (the loopback address). */
  public String host() {
    return server.getInetAddress().getHostAddress();
  }

  /** The port the proxy listens on. */
  public int port() {
    return server.getLocalPort();
  }

  /** {@code amqpUri} with its host and port replaced by the proxy's; credentials and path kept. */
  public String proxiedUri(String amqpUri) {
    try {
      URI uri = new URI(amqpUri);
      return new URI(
              uri.getScheme(),
              uri.getRawUserInfo() == null ? null : uri.getUserInfo(),
              host(),
              port(),
              uri.getPath(),
              uri.getQuery(),
              null)
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Not a URI", e);
    }
  }

  /** How many proxied connections are open now. */
  public int connectionCount() {
    return links.size();
  }

  /** Resets every current connection at once (both sides see the socket closed). */
  public void cutAll() {
    int count = 0;
    for (Link link : links) {
      link.cut();
      count++;
    }
    log.info("Cut {} connections to {}", count, target);
  }

  /**
   * New connections are reset as soon as they are accepted, until {@link #acceptNewConnections}.
   */
  public void refuseNewConnections() {
    refusing = true;
  }

  /** New connections are proxied again. */
  public void acceptNewConnections() {
    refusing = false;
  }

  /** Stops forwarding bytes in both directions (they wait in the proxy) until {@link #unfreeze}. */
  public void freeze() {
    frozen = true;
  }

  /** Forwards again, starting with what waited. */
  public void unfreeze() {
    lock.lock();
    try {
      frozen = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Delays every chunk of bytes read from now on by {@code latency} in each direction (so a
   * request-reply round trip takes at least twice as long); zero removes it.
   */
  public void latency(Duration latency) {
    Objects.requireNonNull(latency, "latency");
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative");
    }
    lock.lock();
    try {
      latencyNanos = latency.toNanos();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Stops listening and cuts every connection. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      log.debug("Proxy listener did not close cleanly: {}", e.getMessage());
    }
    links.forEach(Link::cut);
    unfreeze();
  }

  @Override
  public String toString() {
    return "ConnectionCutter[" + host() + ":" + port() + " -> " + target + "]";
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("Proxy listener failed: {}", e.getMessage());
        }
        return;
      }
      if (refusing) {
        reset(client);
        continue;
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(target, CONNECT_TIMEOUT_MILLIS);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
      } catch (IOException e) {
        log.debug("Could not reach {}: {}", target, e.getMessage());
        reset(client);
        closeQuietly(upstream);
        continue;
      }
      Link link = new Link(client, upstream, serial.incrementAndGet());
      links.add(link);
      link.start();
    }
  }

  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException e) {
      // Closing it is all that matters.
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Already closed.
    }
  }

  /**
   * Waits until {@code due} (System.nanoTime) has passed and traffic is not frozen.
   *
   * @return false if the link was cut meanwhile
   */
  private boolean awaitForwarding(long due, Link link) throws InterruptedException {
    lock.lock();
    try {
      while (!link.isCut()) {
        long wait = due - System.nanoTime();
        if (!frozen && wait <= 0) {
          return true;
        }
        if (frozen) {
          changed.await();
        } else {
          changed.awaitNanos(wait);
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  private void wake() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** One proxied connection: a client socket, an upstream socket, and a pump each way. */
  private final class Link {
    private final Socket client;
    private final Socket upstream;
    private final int id;
    private volatile boolean cut;

    Link(Socket client, Socket upstream, int id) {
      this.client = client;
      this.upstream = upstream;
      this.id = id;
    }

    void start() {
      try {
        new Pump(this, client, upstream, "up-" + id).start();
        new Pump(this, upstream, client, "down-" + id).start();
      } catch (IOException e) {
        cut();
      }
    }

    boolean isCut() {
      return cut;
    }

    void cut() {
      if (cut) {
        return;
      }
      cut = true;
      links.remove(this);
      reset(client);
      reset(upstream);
      wake();
    }
  }

  /** Forwards one direction: a reader queues chunks with their due time, a writer sends them. */
  private final class Pump {
    private final Link link;
    private final Socket from;
    private final Socket to;
    private final String name;
    private final java.util.concurrent.BlockingQueue<Chunk> chunks =
        new java.util.concurrent.LinkedBlockingQueue<>();

    Pump(Link link, Socket from, Socket to, String name) {
      this.link = link;
      this.from = from;
      this.to = to;
      this.name = name;
    }

    void start() throws IOException {
      var in = from.getInputStream();
      var out = to.getOutputStream();
      thread("read-" + name, () -> read(in));
      thread("write-" + name, () -> write(out));
    }

    private void read(java.io.InputStream in) {
      byte[] buffer = new byte[16 * 1024];
      try {
        int count;
        while ((count = in.read(buffer)) >= 0) {
          chunks.add(
              new Chunk(java.util.Arrays.copyOf(buffer, count), System.nanoTime() + latencyNanos));
        }
      } catch (IOException e) {
        // Cut, or the peer reset: the writer ends with the link.
      }
      chunks.add(Chunk.END);
    }

    private void write(java.io.OutputStream out) {
      try {
        while (true) {
          Chunk chunk = chunks.take();
          if (chunk == Chunk.END || !awaitForwarding(chunk.due, link)) {
            break;
          }
          out.write(chunk.bytes);
          out.flush();
        }
      } catch (IOException e) {
        // The other side is gone.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      link.cut();
    }

    private void thread(String role, Runnable body) {
      Thread thread = new Thread(body, "eventbus-cutter-" + role);
      thread.setDaemon(true);
      thread.start();
    }
  }

  private record Chunk(byte[] bytes, long due) {
    static final Chunk END = new Chunk(new byte[0], 0);
  }
}
