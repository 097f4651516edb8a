package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.eventbus.EventBusException;
import io.eventbus.Health;
import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.rabbitmq.internal.publish.ConfirmingPublisher;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TransportSubscription;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
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
 * A delivery over the inbound limit or with an encoded body is parked by {@link InboundRefusal};
 * the consumer goes on. Whatever a delivery makes the pipeline throw, {@link Error}s included, is
 * caught by its {@link ConsumerSlot}: the delivery is requeued, the failure logged, and the
 * consumer keeps its channel (amqp-client would otherwise close the channel, and with it every
 * delivery in flight on it).
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
 * {@link #health()} and {@link #sample} are {@link SubscriptionHealth}'s: consumers active, queue
 * depths sampled by the transport's health thread, stalls.
 */
public final class RabbitSubscription
    implements TransportSubscription, ConnectionSupervisor.Listener {
  private static final Logger log = LoggerFactory.getLogger(RabbitSubscription.class);
  private static final Duration FIRST_REOPEN = Duration.ofMillis(200);
  private static final Duration MAX_REOPEN = Duration.ofSeconds(5);

  private final SubscriptionSpec spec;
  private final BindingKeys bindings;
  private final List<String> queues;
  private final Map<Duration, String> retryQueues;
  private final String deadLetterQueue;
  private final TopologyDeclarer declarer;
  private final ConnectionSupervisor supervisor;
  private final ConfirmingPublisher publisher;
  private final ScheduledExecutorService scheduler;
  private final Duration parkTimeout;
  private final Duration shutdownTimeout;
  private final InboundRefusal refusal;
  private final Consumer<InboundMessage> receiver;
  private final AtomicReferenceArray<ConsumerSlot> slots;
  private final Deliveries deliveries = new Deliveries();
  private final HoldGate gate = new HoldGate();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final SubscriptionHealth health;
  private final ConsumerSlot.Owner owner = new SlotOwner();
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
    this.bindings = BindingKeys.of(spec.eventTypes());
    this.queues = List.copyOf(queues);
    this.retryQueues = Map.copyOf(retryQueues);
    this.deadLetterQueue = deadLetterQueue;
    this.declarer = declarer;
    this.supervisor = supervisor;
    this.publisher = publisher;
    this.scheduler = scheduler;
    this.parkTimeout = parkTimeout;
    this.shutdownTimeout = shutdownTimeout;
    this.refusal = new InboundRefusal(spec.name(), maxInboundMessageBytes);
    this.receiver = receiver;
    this.slots = new AtomicReferenceArray<>(this.queues.size());
    this.health = new SubscriptionHealth(spec, this.queues, slots, deliveries);
  }

  /** Samples the depth of each of the subscription's queues; on the health thread only. */
  public void sample(QueueSampler sampler) {
    if (!closed.get()) {
      health.sample(sampler);
    }
  }

  /** See the class's "Health" section. */
  public Health.Component health() {
    return health.judge(closed.get(), setUpOn != null, gate.paused());
  }

  /** The subscription's name (its queue's). */
  String name() {
    return spec.name();
  }

  /**
   * Whether this subscription binds the bus's exchange for {@code routingKey} (by its event types,
   * as the broker matches binding keys), whether or not the binding exists at the broker right now.
   */
  boolean binds(String routingKey) {
    return bindings.matches(routingKey);
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
      slots.set(i, open(connection, i, !gate.paused()));
    }
    setUpOn = connection;
    gate.releaseHeld(); // deliveries held on the dead connection's channels cannot be settled any
    // more
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
  private ConsumerSlot open(Connection connection, int index, boolean consume) throws IOException {
    Channel channel = connection.createChannel();
    try {
      channel.basicQos(spec.prefetch());
      RabbitInbound.Routes routes =
          new RabbitInbound.Routes(
              queues.get(index),
              deadLetterQueue,
              retryQueues,
              publisher,
              parkTimeout,
              this::redeclare);
      ConsumerSlot slot = new ConsumerSlot(channel, index, routes, gate, deliveries, owner);
      if (consume) {
        consume(slot);
      }
      return slot;
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private void consume(ConsumerSlot slot) throws IOException {
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
    if (closed.get() || gate.paused()) {
      return true;
    }
    gate.paused(true);
    if (!singleActive()) {
      for (int i = 0; i < slots.length(); i++) {
        ConsumerSlot slot = slots.get(i);
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
    if (closed.get() || !gate.paused()) {
      return;
    }
    gate.paused(false); // releases what is held
    Connection connection = setUpOn;
    for (int i = 0; i < slots.length(); i++) {
      ConsumerSlot slot = slots.get(i);
      if (slot == null || connection == null) {
        continue;
      }
      if (!slot.consuming && !slot.cancelling && slot.getChannel().isOpen()) {
        resumeOrReopen(slot);
      }
    }
    log.info("Subscription {} resumed", spec.name());
  }

  /** Consumes on {@code slot} again after a pause; re-opens it if that fails. */
  private void resumeOrReopen(ConsumerSlot slot) {
    try {
      consume(slot);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "Consumer {} of subscription {} could not resume ({}); re-opening it",
          slot.index,
          spec.name(),
          Exceptions.describe(e));
      reopen(slot.index, FIRST_REOPEN);
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
              ConsumerSlot old = slots.getAndSet(index, open(connection, index, !gate.paused()));
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
    return deliveries.inFlight();
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
      ConsumerSlot slot = slots.get(i);
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
    gate.closing(true);
    if (!deliveries.awaitNone(shutdownTimeout)) {
      log.warn(
          "Subscription {} closing with {} handlers still running; their events return to the queue",
          spec.name(),
          deliveries.inFlight());
    }
    deliveries.requeueUnsettled();
    for (int i = 0; i < slots.length(); i++) {
      ConsumerSlot slot = slots.get(i);
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

  /** What the consumers see of this subscription (see {@link ConsumerSlot.Owner}). */
  private final class SlotOwner implements ConsumerSlot.Owner {
    @Override
    public String name() {
      return spec.name();
    }

    @Override
    public boolean closed() {
      return closed.get();
    }

    @Override
    public boolean singleActive() {
      return RabbitSubscription.this.singleActive();
    }

    @Override
    public void deliver(RabbitInbound inbound) {
      if (!refusal.refusedOutright(inbound)) {
        receiver.accept(inbound);
      }
    }

    @Override
    public void cancelDone(ConsumerSlot slot) {
      synchronized (RabbitSubscription.this) {
        slot.cancelling = false;
        if (gate.paused() || closed.get() || slot.consuming || !slot.getChannel().isOpen()) {
          return;
        }
        resumeOrReopen(slot);
      }
    }

    @Override
    public void reopen(int index) {
      RabbitSubscription.this.reopen(index, FIRST_REOPEN);
    }
  }
}
