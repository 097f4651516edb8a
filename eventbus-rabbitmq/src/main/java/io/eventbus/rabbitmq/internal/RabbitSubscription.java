package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.EventBusException;
import io.eventbus.EventDecodingException;
import io.eventbus.Health;
import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.rabbitmq.internal.publish.ConfirmingPublisher;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.SafeText;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TransportSubscription;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription's consumers: one slot per entry of its consumed queues ({@code concurrency} times
 * its queue, its queue once when ordered, or one per partition queue), each a channel on the
 * consuming connection with one consumer and the subscription's prefetch. amqp-client dispatches
 * one channel's deliveries one at a time, so concurrency is the number of slots, order is kept per
 * slot, and every delivery is settled on the channel that received it.
 *
 * <h2>Shutdown</h2>
 *
 * {@link #close()} cancels the consumers and only then turns away (requeues) deliveries that were
 * already buffered, waits for the handlers in flight up to the shutdown timeout, explicitly
 * requeues the deliveries whose handlers did not finish (a handler's later settlement is then
 * ignored), and closes the channels.
 *
 * <h2>Recovery</h2>
 *
 * After the consuming connection comes back, the subscription declares its queues and bindings
 * again and re-opens every slot. A slot whose consumer the broker cancelled (its queue was deleted)
 * or whose channel the broker closed (for example after the consumer timeout) is re-opened on its
 * own, with back-off, while the connection stays up. Deliveries in flight on a dead channel cannot
 * be acknowledged any more; the broker redelivers them.
 *
 * <h2>What never reaches the pipeline</h2>
 *
 * A delivery whose body is over the transport's inbound limit is parked with reason {@code
 * too-large}, and one with a {@code content_encoding} other than identity with reason {@code
 * decoding-failed} naming the encoding, before anything is decoded; the consumer goes on. No
 * delivery can close the connection for its size (see {@link ConnectionSettings}). Whatever a
 * delivery makes the pipeline throw, {@link Error}s included, is caught here: the delivery is
 * requeued, the failure logged, and the consumer keeps its channel (amqp-client would otherwise
 * close the channel, and with it every delivery in flight on it).
 *
 * <h2>Pausing</h2>
 *
 * {@link #pause()} cancels the consumers of an unordered subscription at the broker. Deliveries the
 * client had already received keep arriving in {@code handleDelivery}, which gives each back
 * ({@link RabbitInbound#giveBack}: a confirmed copy at the back of the queue, then an ack, so that
 * no delivery is counted towards {@code x-delivery-limit}); once none is unacknowledged the queue
 * shows no consumer (a quorum queue counts a cancelled consumer until its deliveries are settled).
 * A single-active-consumer queue (ordered, partitioned) keeps its consumer, so that no other
 * instance takes over the following messages, and {@code handleDelivery} holds its deliveries, at
 * most the prefetch, unsettled and in order, on the consumer's thread until {@link #resume()} (or
 * returns them to the queue on close). {@link #resume()} releases what is held and consumes again,
 * but on a cancelled consumer's channel only once its {@code handleCancelOk} has run: the client
 * dispatches that after every delivery the consumer received, so no channel ever holds more than
 * its prefetch. A paused subscription opens channels after a connection recovery or a broker
 * cancel, but consumes on them only when resumed.
 *
 * <h2>Health</h2>
 *
 * {@link #health()} reads what the consumers record (whether each slot is consuming, when it last
 * received or finished a delivery) and the queue depths the transport's health thread samples
 * through {@link #sample}. A queue that has had ready messages for longer than the spec's stall
 * timeout while none of its slots made progress is stalled. A single-active-consumer queue
 * (ordered, partitioned) is judged only by a slot that has received something on its current
 * channel, since a standby instance legitimately receives nothing.
 */
public final class RabbitSubscription
    implements TransportSubscription, ConnectionSupervisor.Listener {
  private static final Logger log = LoggerFactory.getLogger(RabbitSubscription.class);
  private static final Duration FIRST_REOPEN = Duration.ofMillis(200);
  private static final Duration MAX_REOPEN = Duration.ofSeconds(5);

  private final SubscriptionSpec spec;
  private final List<String> queues;
  private final Map<Duration, String> retryQueues;
  private final String deadLetterQueue;
  private final TopologyDeclarer declarer;
  private final ConnectionSupervisor supervisor;
  private final ConfirmingPublisher publisher;
  private final ScheduledExecutorService scheduler;
  private final Duration parkTimeout;
  private final Duration shutdownTimeout;
  private final int maxInboundMessageBytes;
  private final Consumer<InboundMessage> receiver;
  private final AtomicReferenceArray<Slot> slots;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Set<RabbitInbound> unsettled = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Map<String, QueueDepth> depths = new LinkedHashMap<>();
  private volatile boolean closing;
  private volatile boolean paused; // written under this
  private final ReentrantLock holdLock = new ReentrantLock();
  private final Condition released = holdLock.newCondition();
  private volatile @Nullable Connection setUpOn; // written under this

  public RabbitSubscription(
      SubscriptionSpec spec,
      List<String> queues,
      Map<Duration, String> retryQueues,
      String deadLetterQueue,
      TopologyDeclarer declarer,
      ConnectionSupervisor supervisor,
      ConfirmingPublisher publisher,
      ScheduledExecutorService scheduler,
      Duration parkTimeout,
      Duration shutdownTimeout,
      int maxInboundMessageBytes,
      Consumer<InboundMessage> receiver) {
    this.spec = spec;
    this.queues = List.copyOf(queues);
    this.retryQueues = Map.copyOf(retryQueues);
    this.deadLetterQueue = deadLetterQueue;
    this.declarer = declarer;
    this.supervisor = supervisor;
    this.publisher = publisher;
    this.scheduler = scheduler;
    this.parkTimeout = parkTimeout;
    this.shutdownTimeout = shutdownTimeout;
    this.maxInboundMessageBytes = maxInboundMessageBytes;
    this.receiver = receiver;
    this.slots = new AtomicReferenceArray<>(this.queues.size());
    for (String queue : this.queues) {
      depths.putIfAbsent(queue, new QueueDepth());
    }
  }

  /** The last sampled depth of one queue and since when it has been above zero. */
  private static final class QueueDepth {
    volatile long ready = -1;
    volatile long readySinceNanos; // 0: not ready at the last sample
  }

  /** Samples the depth of each of the subscription's queues; on the health thread only. */
  public void sample(QueueSampler sampler) {
    if (closed.get()) {
      return;
    }
    depths.forEach(
        (queue, depth) -> {
          long ready = sampler.ready(queue);
          long now = System.nanoTime();
          if (ready > 0) {
            if (depth.readySinceNanos == 0) {
              depth.readySinceNanos = now;
            }
          } else {
            depth.readySinceNanos = 0;
          }
          depth.ready = ready;
        });
  }

  /** See the class's "Health" section. */
  public Health.Component health() {
    String name = "subscription:" + spec.name();
    Map<String, Object> details = new LinkedHashMap<>();
    int active = 0;
    long lastProgress = 0;
    for (int i = 0; i < slots.length(); i++) {
      Slot slot = slots.get(i);
      if (slot != null && slot.consuming && slot.getChannel().isOpen()) {
        active++;
      }
      if (slot != null) {
        lastProgress = Math.max(lastProgress, slot.lastProgressNanos);
      }
    }
    long ready = 0;
    for (QueueDepth depth : depths.values()) {
      ready = depth.ready < 0 || ready < 0 ? -1 : ready + depth.ready;
    }
    long now = System.nanoTime();
    details.put("consumers", slots.length());
    details.put("activeConsumers", active);
    details.put("inFlight", inFlight.get());
    details.put("readyMessages", ready);
    details.put("paused", paused);
    if (lastProgress != 0) {
      details.put("sinceLastDelivery", Duration.ofNanos(now - lastProgress));
    }
    if (closed.get()) {
      return new Health.Component(name, Health.Status.DOWN, "closed", details);
    }
    if (setUpOn == null) {
      return new Health.Component(
          name, Health.Status.DOWN, "the consuming connection is recovering", details);
    }
    if (paused) {
      return new Health.Component(name, Health.Status.UP, "", details);
    }
    if (active < slots.length()) {
      return new Health.Component(
          name,
          Health.Status.DOWN,
          active
              + " of "
              + slots.length()
              + " consumers active: the broker cancelled or closed the others; re-opening them",
          details);
    }
    String stalled = stalled(now);
    if (stalled != null) {
      return new Health.Component(name, Health.Status.DOWN, stalled, details);
    }
    return new Health.Component(name, Health.Status.UP, "", details);
  }

  private @Nullable String stalled(long now) {
    long limit = spec.stallTimeout().toNanos();
    for (Map.Entry<String, QueueDepth> entry : depths.entrySet()) {
      QueueDepth depth = entry.getValue();
      long since = depth.readySinceNanos;
      if (depth.ready <= 0 || since == 0 || now - since < limit) {
        continue;
      }
      long progress = 0;
      boolean judged = spec.ordering() == Ordering.NONE;
      for (int i = 0; i < slots.length(); i++) {
        Slot slot = slots.get(i);
        if (slot != null && slot.queue.equals(entry.getKey())) {
          progress = Math.max(progress, slot.lastProgressNanos);
          judged |= slot.delivered;
        }
      }
      if (judged && now - progress >= limit) {
        return "stalled: "
            + depth.ready
            + " messages ready in "
            + entry.getKey()
            + " for "
            + Duration.ofNanos(now - since).toMillis()
            + " ms and nothing delivered for "
            + Duration.ofNanos(now - progress).toMillis()
            + " ms ("
            + inFlight.get()
            + " handlers running)";
      }
    }
    return null;
  }

  /** The subscription's name (its queue's). */
  String name() {
    return spec.name();
  }

  /**
   * Declares the queues, starts the consumers on the current connection, and keeps them going
   * across recoveries.
   *
   * @throws EventBusException if the first set-up fails
   */
  public void start() {
    supervisor.addListener(this);
    Connection connection = supervisor.connection();
    if (connection == null) {
      return; // recovering: connected() sets up once the connection is back
    }
    try {
      connected(connection);
    } catch (IOException | RuntimeException e) {
      close();
      throw new EventBusException(
          "Could not start consuming subscription " + spec.name() + ": " + Exceptions.describe(e),
          e);
    }
  }

  @Override
  public synchronized void connected(Connection connection) throws IOException {
    if (closed.get() || connection == setUpOn) {
      return;
    }
    declarer.declareSubscription(connection, spec);
    for (int i = 0; i < slots.length(); i++) {
      slots.set(i, open(connection, i, !paused));
    }
    setUpOn = connection;
    releaseHeld(); // deliveries held on the dead connection's channels cannot be settled any more
  }

  /**
   * Declares the subscription's queues and bindings again on the current connection, after a copy
   * to one of them came back unroutable or the exchange was found deleted. A failure is logged; the
   * next recovery declares again.
   */
  void redeclare() {
    Connection connection = supervisor.connection();
    if (closed.get() || connection == null) {
      return;
    }
    try {
      declarer.declareSubscription(connection, spec);
      log.info("Declared the queues and bindings of subscription {} again", spec.name());
    } catch (RuntimeException e) {
      log.warn(
          "Could not declare the queues of subscription {} again: {}",
          spec.name(),
          Exceptions.describe(e));
    }
  }

  @Override
  public void disconnected() {
    // Not synchronized: this runs on the dying connection's I/O thread, which a set-up holding the
    // lock may be waiting for.
    setUpOn = null;
  }

  /** Opens a slot's channel, and consumes on it unless {@code consume} is false (paused). */
  private Slot open(Connection connection, int index, boolean consume) throws IOException {
    Channel channel = connection.createChannel();
    try {
      channel.basicQos(spec.prefetch());
      Slot slot = new Slot(channel, index, queues.get(index));
      if (consume) {
        consume(slot);
      }
      return slot;
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private void consume(Slot slot) throws IOException {
    slot.tag = slot.getChannel().basicConsume(slot.queue, false, slot);
    slot.consuming = true;
  }

  /** Whether this subscription's queues have a single active consumer (ordered, partitioned). */
  private boolean singleActive() {
    return spec.ordering() != Ordering.NONE;
  }

  /**
   * See the class's "Pausing" section. Idempotent; a failed cancel is logged (the consumer then
   * stays, its deliveries held all the same).
   */
  @Override
  public synchronized boolean pause() {
    if (closed.get() || paused) {
      return true;
    }
    paused = true;
    if (!singleActive()) {
      for (int i = 0; i < slots.length(); i++) {
        Slot slot = slots.get(i);
        if (slot == null || !slot.consuming || slot.tag == null) {
          continue;
        }
        try {
          slot.cancelling = true;
          slot.consuming = false;
          slot.getChannel().basicCancel(slot.tag);
        } catch (IOException | AlreadyClosedException e) {
          slot.cancelling = false;
          log.debug("Pausing a consumer of {} failed: {}", spec.name(), Exceptions.describe(e));
        }
      }
    }
    log.info("Subscription {} paused", spec.name());
    return true;
  }

  /** See the class's "Pausing" section. Idempotent. */
  @Override
  public synchronized void resume() {
    if (closed.get() || !paused) {
      return;
    }
    paused = false;
    releaseHeld();
    Connection connection = setUpOn;
    for (int i = 0; i < slots.length(); i++) {
      Slot slot = slots.get(i);
      if (slot == null || connection == null) {
        continue;
      }
      if (!slot.consuming && !slot.cancelling && slot.getChannel().isOpen()) {
        try {
          consume(slot);
        } catch (IOException | RuntimeException e) {
          log.warn(
              "Consumer {} of subscription {} could not resume ({}); re-opening it",
              i,
              spec.name(),
              Exceptions.describe(e));
          reopen(i, FIRST_REOPEN);
        }
      }
    }
    log.info("Subscription {} resumed", spec.name());
  }

  /** Wakes the deliveries held in {@code handleDelivery}, which look again why they wait. */
  private void releaseHeld() {
    holdLock.lock();
    try {
      released.signalAll();
    } finally {
      holdLock.unlock();
    }
  }

  /**
   * Holds a delivery of {@code channel} while the subscription is paused; true once it may go to
   * the receiver, false if the subscription is closing or the channel died meanwhile.
   */
  private boolean awaitResumed(Channel channel) {
    holdLock.lock();
    try {
      while (paused && !closing && channel.isOpen()) {
        released.await();
      }
      return !closing && channel.isOpen();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      holdLock.unlock();
    }
  }

  /** Re-opens one slot on the current connection after the broker cancelled or closed it. */
  private void reopen(int index, Duration delay) {
    scheduler.schedule(
        () -> {
          if (closed.get()) {
            return;
          }
          Connection connection = supervisor.connection();
          if (connection == null) {
            return; // the connection itself is recovering; connected() re-opens every slot
          }
          try {
            synchronized (this) {
              if (closed.get() || connection != setUpOn) {
                return;
              }
              declarer.declareSubscription(connection, spec);
              Slot old = slots.getAndSet(index, open(connection, index, !paused));
              if (old != null) {
                closeQuietly(old.getChannel());
              }
            }
            log.info("Consumer {} of subscription {} is back", index, spec.name());
          } catch (IOException | RuntimeException e) {
            Duration next =
                delay.multipliedBy(2).compareTo(MAX_REOPEN) > 0
                    ? MAX_REOPEN
                    : delay.multipliedBy(2);
            log.warn(
                "Consumer {} of subscription {} could not be re-opened ({}); retrying in {}",
                index,
                spec.name(),
                Exceptions.describe(e),
                next);
            reopen(index, next);
          }
        },
        delay.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  /** How many handlers are running right now. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Cancels the consumers, waits up to the shutdown timeout for handlers in flight, then closes the
   * channels; the broker requeues whatever was delivered and not settled.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    supervisor.removeListener(this);
    for (int i = 0; i < slots.length(); i++) {
      Slot slot = slots.get(i);
      if (slot != null && slot.tag != null && slot.consuming) {
        try {
          slot.getChannel().basicCancel(slot.tag);
        } catch (IOException | AlreadyClosedException e) {
          log.debug("Cancel of a consumer of {} failed: {}", spec.name(), Exceptions.describe(e));
        }
      }
    }
    // Only once no consumer of ours is subscribed: a delivery turned away before would come
    // straight back to another of our consumers, and each round counts towards the delivery limit.
    closing = true;
    releaseHeld();
    long until = System.nanoTime() + shutdownTimeout.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < until) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (inFlight.get() > 0) {
      log.warn(
          "Subscription {} closing with {} handlers still running; their events return to the queue",
          spec.name(),
          inFlight.get());
    }
    for (RabbitInbound inbound : unsettled) {
      inbound.requeue();
    }
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

  /**
   * Parks {@code inbound} without running the pipeline, when the transport refuses it outright (see
   * the class description); requeues it if parking fails.
   */
  private void refuse(RabbitInbound inbound, String category, String why) {
    java.util.Map<String, String> headers = inbound.message().headers();
    String id = CloudEventsAttributes.attribute(headers, "id");
    String type = CloudEventsAttributes.attribute(headers, "type");
    Instant now = Instant.now();
    try {
      inbound.deadLetter(
          DeadLetterReason.of(
              category, new EventDecodingException(id, type, why, null), spec.name(), 1, now, now));
      log.warn(
          "Event {} ({}) of subscription {} parked in the dead-letter queue ({}): {}",
          SafeText.of(id),
          SafeText.of(type),
          spec.name(),
          category,
          why);
    } catch (RuntimeException e) {
      log.error(
          "Event {} ({}) of subscription {} could not be parked; returning it to the queue: {}",
          SafeText.of(id),
          SafeText.of(type),
          spec.name(),
          SafeText.message(e));
      inbound.requeue();
    }
  }

  /** Whether the transport parked {@code inbound} itself: too large, or an encoded body. */
  private boolean refusedOutright(RabbitInbound inbound) {
    if (inbound.bodySize() > maxInboundMessageBytes) {
      refuse(
          inbound,
          DeadLetterReason.CATEGORY_TOO_LARGE,
          "Body of "
              + inbound.bodySize()
              + " bytes is over the inbound limit of "
              + maxInboundMessageBytes
              + " bytes (RabbitTransport.Builder.maxInboundMessageBytes); it was not decoded");
      return true;
    }
    String encoding = inbound.properties().getContentEncoding();
    if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
      refuse(
          inbound,
          DeadLetterReason.CATEGORY_DECODING_FAILED,
          "content_encoding '"
              + SafeText.of(encoding)
              + "' is not supported: eventbus bodies are sent unencoded (identity), see"
              + " docs/wire-format.md");
      return true;
    }
    return false;
  }

  private final class Slot extends DefaultConsumer {
    private final int index;
    private final String queue;
    private final RabbitInbound.Routes routes;
    volatile @Nullable String tag;
    volatile boolean consuming;
    volatile boolean cancelling; // basicCancel sent by pause(), handleCancelOk not run yet
    volatile boolean delivered;
    volatile long lastProgressNanos = System.nanoTime();

    Slot(Channel channel, int index, String queue) {
      super(channel);
      this.index = index;
      this.queue = queue;
      this.routes =
          new RabbitInbound.Routes(
              queue,
              deadLetterQueue,
              retryQueues,
              publisher,
              parkTimeout,
              RabbitSubscription.this::redeclare);
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      inFlight.incrementAndGet();
      delivered = true;
      lastProgressNanos = System.nanoTime();
      RabbitInbound inbound = new RabbitInbound(getChannel(), envelope, properties, body, routes);
      unsettled.add(inbound);
      try {
        if (closing) {
          inbound.requeue();
          return;
        }
        if (paused && !singleActive()) {
          inbound.giveBack();
          return;
        }
        if (paused && !awaitResumed(getChannel())) {
          inbound.requeue(); // closing; on a dead channel the broker has requeued it already
          return;
        }
        if (!refusedOutright(inbound)) {
          receiver.accept(inbound);
        }
      } catch (Throwable e) {
        // Nothing may escape: amqp-client would close this channel, with every delivery on it.
        log.error(
            "Subscription {} failed to settle a delivery; requeueing it: {}",
            spec.name(),
            SafeText.message(e),
            e);
      } finally {
        if (!inbound.isSettled()) {
          inbound.requeue();
        }
        unsettled.remove(inbound);
        inFlight.decrementAndGet();
        lastProgressNanos = System.nanoTime();
      }
    }

    /**
     * Our own cancel (a pause) is done, and every delivery of the cancelled consumer has passed
     * through {@code handleDelivery}: the channel holds none, so it may consume again.
     */
    @Override
    public void handleCancelOk(String consumerTag) {
      synchronized (RabbitSubscription.this) {
        cancelling = false;
        if (paused || closed.get() || consuming || !getChannel().isOpen()) {
          return;
        }
        try {
          consume(this);
        } catch (IOException | RuntimeException e) {
          log.warn(
              "Consumer {} of subscription {} could not resume ({}); re-opening it",
              index,
              spec.name(),
              Exceptions.describe(e));
          reopen(index, FIRST_REOPEN);
        }
      }
    }

    @Override
    public void handleCancel(String consumerTag) {
      consuming = false;
      if (!closed.get()) {
        log.warn(
            "The broker cancelled consumer {} of subscription {} (queue deleted?); re-opening it",
            index,
            spec.name());
        reopen(index, FIRST_REOPEN);
      }
    }

    @Override
    public void handleShutdownSignal(String consumerTag, ShutdownSignalException signal) {
      consuming = false;
      cancelling = false;
      releaseHeld();
      if (!closed.get() && !signal.isHardError() && !signal.isInitiatedByApplication()) {
        log.warn(
            "The broker closed the channel of consumer {} of subscription {}: {}; re-opening it",
            index,
            spec.name(),
            Exceptions.describe(signal));
        reopen(index, FIRST_REOPEN);
      }
    }
  }
}
