package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A hand-written stand-in for an amqp-client {@link Channel}, for unit tests of our own logic: it
 * records what is published and declared, and lets the test play the broker (acks, nacks, returns,
 * a dying channel). It implements only the {@code Channel} methods the publisher and the topology
 * declarer call, as public methods of the same signature here; {@link #channel()} is a proxy that
 * dispatches to them and throws {@link UnsupportedOperationException} for every other method, so a
 * test fails loudly if the code under test starts to use something this fake does not model.
 *
 * <p>Thread safety: the code under test publishes from its sender thread while the test acks from
 * its own; one lock guards the published list and the sequence numbers.
 */
public final class FakeChannel {
  /** One {@code basic.publish}. */
  public record Published(
      long sequence,
      String exchange,
      String routingKey,
      boolean mandatory,
      AMQP.BasicProperties properties,
      byte[] body) {
    /** The event id, as the publisher puts it into {@code message_id}. */
    public String messageId() {
      return properties.getMessageId();
    }
  }

  /** One declaration or binding, in the order made. */
  public record Declared(String kind, String name, String target, Map<String, Object> arguments) {}

  private final Channel proxy;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition published = lock.newCondition();
  private final List<Published> publishes = new ArrayList<>(); // guarded by lock
  private final List<Declared> declarations = new CopyOnWriteArrayList<>();
  private final List<ConfirmListener> confirmListeners = new CopyOnWriteArrayList<>();
  private final List<ReturnListener> returnListeners = new CopyOnWriteArrayList<>();
  private final List<ShutdownListener> shutdownListeners = new CopyOnWriteArrayList<>();
  private long nextSequence; // guarded by lock; 0 until confirmSelect, as in amqp-client
  private long failAtSequence = -1; // guarded by lock
  private volatile boolean open = true;
  private volatile @org.jspecify.annotations.Nullable ShutdownSignalException closeReason;
  private volatile int frameMax = 131_072;
  private volatile @org.jspecify.annotations.Nullable RuntimeException nextPublishFailure;
  private volatile @org.jspecify.annotations.Nullable Throwable nextSequenceFailure;
  private final com.rabbitmq.client.Connection connection =
      (com.rabbitmq.client.Connection)
          Proxy.newProxyInstance(
              Channel.class.getClassLoader(),
              new Class<?>[] {com.rabbitmq.client.Connection.class},
              (self, method, args) -> {
                if (method.getName().equals("getFrameMax")) {
                  return frameMax;
                }
                throw new UnsupportedOperationException("FakeChannel's connection: " + method);
              });

  public FakeChannel() {
    this.proxy =
        (Channel)
            Proxy.newProxyInstance(
                Channel.class.getClassLoader(), new Class<?>[] {Channel.class}, this::dispatch);
  }

  /** The {@link Channel} to hand to the code under test. */
  public Channel channel() {
    return proxy;
  }

  private Object dispatch(Object self, Method method, Object[] args) throws Throwable {
    switch (method.getName()) {
      case "toString":
        return "FakeChannel";
      case "hashCode":
        return System.identityHashCode(self);
      case "equals":
        return self == args[0];
      default:
        break;
    }
    Method target;
    try {
      target = FakeChannel.class.getMethod(method.getName(), method.getParameterTypes());
    } catch (NoSuchMethodException e) {
      throw new UnsupportedOperationException("FakeChannel does not implement " + method);
    }
    try {
      return target.invoke(this, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  // ---- the Channel methods the code under test uses ----

  public boolean isOpen() {
    return open;
  }

  public ShutdownSignalException getCloseReason() {
    return closeReason;
  }

  public AMQP.Confirm.SelectOk confirmSelect() {
    lock.lock();
    try {
      if (nextSequence == 0) {
        nextSequence = 1;
      }
      return new AMQP.Confirm.SelectOk.Builder().build();
    } finally {
      lock.unlock();
    }
  }

  public long getNextPublishSeqNo() throws Throwable {
    Throwable failure = nextSequenceFailure;
    if (failure != null) {
      nextSequenceFailure = null;
      throw failure;
    }
    lock.lock();
    try {
      return nextSequence;
    } finally {
      lock.unlock();
    }
  }

  public void basicPublish(
      String exchange,
      String routingKey,
      boolean mandatory,
      AMQP.BasicProperties properties,
      byte[] body)
      throws IOException {
    if (!open) {
      throw new AlreadyClosedException(new ShutdownSignalException(false, false, null, proxy));
    }
    boolean fail;
    RuntimeException clientFailure = nextPublishFailure;
    lock.lock();
    try {
      long sequence = nextSequence;
      if (sequence > 0) {
        nextSequence++; // counted before sending, as amqp-client does
      }
      if (clientFailure != null) {
        nextPublishFailure = null;
        throw clientFailure;
      }
      fail = sequence == failAtSequence;
      if (!fail) {
        publishes.add(new Published(sequence, exchange, routingKey, mandatory, properties, body));
        published.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (fail) {
      die();
      throw new IOException("connection reset (fake)");
    }
  }

  public void addConfirmListener(ConfirmListener listener) {
    confirmListeners.add(listener);
  }

  public void addReturnListener(ReturnListener listener) {
    returnListeners.add(listener);
  }

  public void addShutdownListener(ShutdownListener listener) {
    shutdownListeners.add(listener);
  }

  public void close() {
    die();
  }

  public void abort() {
    ShutdownSignalException cause = new ShutdownSignalException(false, true, null, proxy);
    closeReason = cause;
    open = false;
    for (ShutdownListener listener : shutdownListeners) {
      listener.shutdownCompleted(cause);
    }
  }

  public com.rabbitmq.client.Connection getConnection() {
    return connection;
  }

  public AMQP.Exchange.DeclareOk exchangeDeclare(String exchange, String type, boolean durable) {
    declarations.add(new Declared("exchange", exchange, type, Map.of()));
    return new AMQP.Exchange.DeclareOk.Builder().build();
  }

  public AMQP.Exchange.DeclareOk exchangeDeclare(
      String exchange,
      String type,
      boolean durable,
      boolean autoDelete,
      Map<String, Object> arguments) {
    declarations.add(new Declared("exchange", exchange, type, Map.copyOf(arguments)));
    return new AMQP.Exchange.DeclareOk.Builder().build();
  }

  public AMQP.Queue.DeclareOk queueDeclare(
      String queue,
      boolean durable,
      boolean exclusive,
      boolean autoDelete,
      Map<String, Object> arguments) {
    declarations.add(new Declared("queue", queue, "", Map.copyOf(arguments)));
    return new AMQP.Queue.DeclareOk.Builder().queue(queue).build();
  }

  public AMQP.Queue.BindOk queueBind(String queue, String exchange, String routingKey) {
    declarations.add(new Declared("queueBind", queue, exchange + " " + routingKey, Map.of()));
    return new AMQP.Queue.BindOk.Builder().build();
  }

  public AMQP.Queue.BindOk queueBind(
      String queue, String exchange, String routingKey, Map<String, Object> arguments) {
    declarations.add(
        new Declared("queueBind", queue, exchange + " " + routingKey, Map.copyOf(arguments)));
    return new AMQP.Queue.BindOk.Builder().build();
  }

  public AMQP.Exchange.BindOk exchangeBind(String destination, String source, String routingKey) {
    declarations.add(
        new Declared("exchangeBind", destination, source + " " + routingKey, Map.of()));
    return new AMQP.Exchange.BindOk.Builder().build();
  }

  // ---- the broker's side, driven by the test ----

  /** Acknowledges {@code sequence} (with {@code multiple}, everything up to it). */
  public void ack(long sequence, boolean multiple) throws IOException {
    for (ConfirmListener listener : confirmListeners) {
      listener.handleAck(sequence, multiple);
    }
  }

  /** Refuses {@code sequence} (with {@code multiple}, everything up to it). */
  public void nack(long sequence, boolean multiple) throws IOException {
    for (ConfirmListener listener : confirmListeners) {
      listener.handleNack(sequence, multiple);
    }
  }

  /** Returns {@code message} as unroutable (312 NO_ROUTE), as the broker does before its ack. */
  public void returnUnroutable(Published message) throws IOException {
    for (ReturnListener listener : returnListeners) {
      listener.handleReturn(
          312,
          "NO_ROUTE",
          message.exchange(),
          message.routingKey(),
          message.properties(),
          message.body());
    }
  }

  /** Makes the publish with {@code sequence} fail with an I/O error that closes the channel. */
  public void failPublishAt(long sequence) {
    lock.lock();
    try {
      failAtSequence = sequence;
    } finally {
      lock.unlock();
    }
  }

  /** The {@code frame_max} the channel's connection reports (default 128 KiB). */
  public void frameMax(int frameMax) {
    this.frameMax = frameMax;
  }

  /**
   * Makes the next {@code basicPublish} throw {@code failure} after counting its sequence number,
   * as amqp-client does when it refuses to send (content headers over {@code frame_max}).
   */
  public void failNextPublishWith(RuntimeException failure) {
    this.nextPublishFailure = failure;
  }

  /**
   * Makes the next {@code getNextPublishSeqNo} throw {@code failure}: a bug in the sender's way.
   */
  public void failNextSequenceWith(Throwable failure) {
    this.nextSequenceFailure = failure;
  }

  /**
   * Closes the channel as the broker does when it refuses something sent on it: a channel-level
   * {@code channel.close} with {@code replyCode} and {@code replyText}.
   */
  public void refuse(int replyCode, String replyText) {
    AMQP.Channel.Close close =
        new AMQP.Channel.Close.Builder().replyCode(replyCode).replyText(replyText).build();
    ShutdownSignalException cause = new ShutdownSignalException(false, false, close, proxy);
    closeReason = cause;
    open = false;
    for (ShutdownListener listener : shutdownListeners) {
      listener.shutdownCompleted(cause);
    }
  }

  /** Closes the channel as a lost connection would, telling the shutdown listeners. */
  public void die() {
    ShutdownSignalException cause = new ShutdownSignalException(false, false, null, proxy);
    closeReason = cause;
    open = false;
    for (ShutdownListener listener : shutdownListeners) {
      listener.shutdownCompleted(cause);
    }
  }

  /**
   * Waits until at least {@code count} messages were published on this channel, and returns all.
   *
   * @throws AssertionError if they were not within {@code timeout}
   */
  public List<Published> awaitPublished(int count, Duration timeout) throws InterruptedException {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (publishes.size() < count) {
        if (remaining <= 0) {
          throw new AssertionError(
              "Expected " + count + " publishes within " + timeout + ", saw " + publishes.size());
        }
        remaining = published.awaitNanos(remaining);
      }
      return List.copyOf(publishes);
    } finally {
      lock.unlock();
    }
  }

  /** What was published so far. */
  public List<Published> published() {
    lock.lock();
    try {
      return List.copyOf(publishes);
    } finally {
      lock.unlock();
    }
  }

  /** What was declared and bound so far, in order. */
  public List<Declared> declarations() {
    return List.copyOf(declarations);
  }

  /** How long {@link #awaitPublished} waits by default in these tests. */
  public static final Duration WAIT = Duration.ofSeconds(5);
}
