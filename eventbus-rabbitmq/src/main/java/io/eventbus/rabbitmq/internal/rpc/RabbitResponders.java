package io.eventbus.rabbitmq.internal.rpc;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.EventBusException;
import io.eventbus.Health;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.WireMessage;
import io.eventbus.rabbitmq.internal.AmqpMapping;
import io.eventbus.rabbitmq.internal.ConnectionSupervisor;
import io.eventbus.rabbitmq.internal.Exceptions;
import io.eventbus.rabbitmq.internal.InFlight;
import io.eventbus.rabbitmq.internal.TopologyDeclarer;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TransportSubscription;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One responder subscription: {@code concurrency} channels on the consuming connection, each with
 * the spec's prefetch and one consumer of the request queue. A request is acknowledged on the
 * channel that delivered it, and its reply is published on that channel too, to the default
 * exchange with the request's {@code reply_to} as routing key and its {@code message_id} as {@code
 * correlation_id} (no confirm: a requester that is gone loses it, as direct reply-to does).
 *
 * <p>Recovery: after the consuming connection comes back, the queue and bindings are declared again
 * (the auto-delete queue went with the last consumer) and every channel re-opened; a channel the
 * broker closed or a consumer it cancelled is re-opened after a second. Requests in flight on a
 * dead channel are lost with it (non-durable queue, auto-delete); their requesters see a timeout or
 * a lost connection.
 */
public final class RabbitResponders
    implements TransportSubscription, ConnectionSupervisor.Listener {
  private static final Logger log = LoggerFactory.getLogger(RabbitResponders.class);
  private static final Duration REOPEN = Duration.ofSeconds(1);

  private final SubscriptionSpec spec;
  private final String queue;
  private final TopologyDeclarer declarer;
  private final ConnectionSupervisor supervisor;
  private final ScheduledExecutorService scheduler;
  private final Duration shutdownTimeout;
  private final Consumer<InboundMessage> receiver;
  private final AtomicReferenceArray<Slot> slots;
  private final InFlight inFlight = new InFlight();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable Connection setUpOn;

  public RabbitResponders(
      SubscriptionSpec spec,
      String queue,
      TopologyDeclarer declarer,
      ConnectionSupervisor supervisor,
      ScheduledExecutorService scheduler,
      Duration shutdownTimeout,
      Consumer<InboundMessage> receiver) {
    this.spec = spec;
    this.queue = queue;
    this.declarer = declarer;
    this.supervisor = supervisor;
    this.scheduler = scheduler;
    this.shutdownTimeout = shutdownTimeout;
    this.receiver = receiver;
    this.slots = new AtomicReferenceArray<>(Math.max(1, spec.concurrency()));
  }

  /**
   * Declares the queue and starts the consumers on the current connection.
   *
   * @throws EventBusException if the first set-up fails
   */
  public void start() {
    supervisor.addListener(this);
    Connection connection = supervisor.connection();
    if (connection == null) {
      return;
    }
    try {
      connected(connection);
    } catch (IOException | RuntimeException e) {
      close();
      throw new EventBusException(
          "Could not start the responders " + spec.name() + ": " + Exceptions.describe(e), e);
    }
  }

  @Override
  public synchronized void connected(Connection connection) throws IOException {
    if (closed.get() || connection == setUpOn) {
      return;
    }
    declarer.declareResponders(connection, spec);
    for (int i = 0; i < slots.length(); i++) {
      Slot old = slots.getAndSet(i, open(connection, i));
      if (old != null) {
        closeQuietly(old.getChannel());
      }
    }
    setUpOn = connection;
  }

  @Override
  public void disconnected() {
    setUpOn = null;
  }

  private Slot open(Connection connection, int index) throws IOException {
    Channel channel = connection.createChannel();
    try {
      channel.basicQos(spec.prefetch());
      Slot slot = new Slot(channel, index);
      slot.tag = channel.basicConsume(queue, false, slot);
      return slot;
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private void reopen(int index) {
    scheduler.schedule(
        () -> {
          Connection connection = supervisor.connection();
          if (closed.get() || connection == null) {
            return;
          }
          try {
            synchronized (this) {
              if (closed.get() || connection != setUpOn) {
                return;
              }
              declarer.declareResponders(connection, spec);
              Slot old = slots.getAndSet(index, open(connection, index));
              if (old != null) {
                closeQuietly(old.getChannel());
              }
            }
          } catch (IOException | RuntimeException e) {
            log.warn(
                "Responder {} of {} could not be re-opened ({}); retrying",
                index,
                spec.name(),
                Exceptions.describe(e));
            reopen(index);
          }
        },
        REOPEN.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  @Override
  public Health.Component health() {
    int active = 0;
    for (int i = 0; i < slots.length(); i++) {
      Slot slot = slots.get(i);
      if (slot != null && slot.consuming && slot.getChannel().isOpen()) {
        active++;
      }
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("consumers", slots.length());
    details.put("activeConsumers", active);
    details.put("inFlight", inFlight.count());
    details.put("queue", queue);
    String name = "subscription:" + spec.name();
    if (closed.get()) {
      return new Health.Component(name, Health.Status.DOWN, "closed", details);
    }
    if (setUpOn == null) {
      return new Health.Component(
          name, Health.Status.DOWN, "the consuming connection is recovering", details);
    }
    if (active < slots.length()) {
      return new Health.Component(
          name,
          Health.Status.DOWN,
          active + " of " + slots.length() + " responders active; re-opening the others",
          details);
    }
    return new Health.Component(name, Health.Status.UP, "", details);
  }

  /** Cancels the consumers, waits for requests being answered, then closes the channels. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    supervisor.removeListener(this);
    for (int i = 0; i < slots.length(); i++) {
      Slot slot = slots.get(i);
      if (slot != null && slot.tag != null) {
        try {
          slot.getChannel().basicCancel(slot.tag);
        } catch (IOException | AlreadyClosedException e) {
          log.debug("Cancel of a responder of {} failed: {}", spec.name(), Exceptions.describe(e));
        }
      }
    }
    inFlight.awaitNone(shutdownTimeout);
    for (int i = 0; i < slots.length(); i++) {
      Slot slot = slots.get(i);
      if (slot != null) {
        closeQuietly(slot.getChannel());
      }
    }
  }

  private void closeQuietly(Channel channel) {
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException | AlreadyClosedException e) {
      log.debug("Channel of {} did not close cleanly: {}", spec.name(), Exceptions.describe(e));
    }
  }

  private final class Slot extends DefaultConsumer {
    private final int index;
    volatile @Nullable String tag;
    volatile boolean consuming = true;

    Slot(Channel channel, int index) {
      super(channel);
      this.index = index;
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      inFlight.enter();
      Request request = new Request(getChannel(), envelope, properties, body);
      try {
        if (closed.get()) {
          request.requeue();
          return;
        }
        receiver.accept(request);
      } catch (Throwable e) {
        // Nothing may escape: amqp-client would close this channel, with every request on it.
        log.error("Responders {} failed to settle a request; requeueing it", spec.name(), e);
      } finally {
        if (!request.settled.get()) {
          request.requeue();
        }
        inFlight.leave();
      }
    }

    @Override
    public void handleCancel(String consumerTag) {
      consuming = false;
      if (!closed.get()) {
        log.warn("The broker cancelled responder {} of {}; re-opening it", index, spec.name());
        reopen(index);
      }
    }

    @Override
    public void handleShutdownSignal(String consumerTag, ShutdownSignalException signal) {
      consuming = false;
      if (!closed.get() && !signal.isHardError() && !signal.isInitiatedByApplication()) {
        log.warn(
            "The broker closed the channel of responder {} of {}: {}; re-opening it",
            index,
            spec.name(),
            Exceptions.describe(signal));
        reopen(index);
      }
    }
  }

  /** One delivered request, settled and answered on the channel that delivered it. */
  private static final class Request implements InboundMessage {
    private final Channel channel;
    private final Envelope envelope;
    private final AMQP.BasicProperties properties;
    private final WireMessage message;
    final AtomicBoolean settled = new AtomicBoolean();

    Request(Channel channel, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      this.channel = channel;
      this.envelope = envelope;
      this.properties = properties;
      this.message = AmqpMapping.wireMessage(properties, body);
    }

    @Override
    public WireMessage message() {
      return message;
    }

    @Override
    public boolean redelivered() {
      return envelope.isRedeliver();
    }

    @Override
    public void ack() {
      if (settled.compareAndSet(false, true)) {
        try {
          channel.basicAck(envelope.getDeliveryTag(), false);
        } catch (IOException | AlreadyClosedException e) {
          log.debug("Could not ack request {}: {}", envelope.getDeliveryTag(), e.toString());
        }
      }
    }

    @Override
    public void requeue() {
      if (settled.compareAndSet(false, true)) {
        try {
          channel.basicNack(envelope.getDeliveryTag(), false, true);
        } catch (IOException | AlreadyClosedException e) {
          log.debug("Could not requeue request {}: {}", envelope.getDeliveryTag(), e.toString());
        }
      }
    }

    @Override
    public void deadLetter(DeadLetterReason reason) {
      throw new UnsupportedOperationException("A request is answered, never dead-lettered");
    }

    @Override
    public void redeliverAfter(Duration delay, Map<String, String> headers) {
      throw new UnsupportedOperationException("A request is answered, never redelivered");
    }

    @Override
    public void reply(WireMessage reply) {
      String replyTo = properties.getReplyTo();
      if (replyTo == null || replyTo.isEmpty()) {
        log.debug("Request {} has no reply_to; its reply is dropped", properties.getMessageId());
        return;
      }
      String correlation = properties.getMessageId();
      if (correlation == null) {
        correlation = CloudEventsAttributes.attribute(message.headers(), "id");
      }
      AMQP.BasicProperties replyProperties =
          AmqpMapping.properties(reply)
              .builder()
              .deliveryMode(1)
              .correlationId(correlation)
              .build();
      try {
        channel.basicPublish("", replyTo, false, replyProperties, reply.body());
      } catch (IOException | AlreadyClosedException e) {
        throw new EventBusException(
            "The reply to request " + correlation + " could not be sent: " + Exceptions.describe(e),
            e);
      }
    }
  }
}
