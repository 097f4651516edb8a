package io.eventbus.rabbitmq.internal.publish;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import io.eventbus.EventTooLargeException;
import io.eventbus.PublishException;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.rabbitmq.ConnectionState;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.internal.ConnectionSupervisor;
import io.eventbus.rabbitmq.internal.FrameSizes;
import io.eventbus.rabbitmq.internal.ThreadSupervisor;
import io.eventbus.spi.SafeText;
import io.eventbus.spi.UnroutableEvents;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes with confirms and mandatory routing, and never reports an event as confirmed that the
 * broker did not confirm: the facade that wires the publisher's parts and owns its lifecycle.
 *
 * <h2>Parts</h2>
 *
 * <ul>
 *   <li>{@link PublishBuffer}: callers only append to it, within bounds by count and bytes;
 *   <li>{@link Sender}: the one thread that owns the channel and sends batches from the buffer;
 *   <li>{@link PublishingChannel}: opens the confirm-mode channel with its listeners;
 *   <li>{@link OutstandingConfirms}: what was sent and not yet confirmed, by sequence number;
 *   <li>{@link ConfirmHandler}: settles events from confirms and returns on the I/O thread;
 *   <li>{@link TopologyResends}: sends returned events again after declaring the topology again,
 *       when an own subscription is bound for their type;
 *   <li>here: the deadline sweep every {@link #SWEEP_INTERVAL}, the counters, start and close.
 * </ul>
 *
 * <h2>Recovery</h2>
 *
 * When the channel dies (connection lost, or closed by the broker), every event sent on it and not
 * yet confirmed goes back to the front of the buffer, in order, and is sent again on the next
 * channel; its future completes on the new confirm. A consumer may therefore see an event twice
 * (the broker may have stored it before the confirm was lost): the duplicate window is the
 * outstanding window at the moment of the loss.
 *
 * <h2>Deadlines and bounds</h2>
 *
 * Every event carries its deadline, read from the injected {@link Ticker}; the sweep fails the
 * expired ones, buffered or outstanding. Buffered events are bounded by count and bytes (one more
 * fails at once), outstanding ones by the window.
 *
 * <h2>Size limits and refusals</h2>
 *
 * A body over {@link PublisherSettings#maxMessageBytes()}, or headers that do not fit the
 * connection's {@code frame_max}, fail the publish at once with {@link EventTooLargeException};
 * nothing is sent. Copies of received messages ({@link #publishCopy}: parking, redelivery, replay)
 * are bound by the inbound limit instead, and by the frame. When the broker refuses something sent
 * (it closes the channel: 404, 406, 403…), only the refused event fails, with {@link
 * io.eventbus.PublishRefusedException}; see {@link Sender}. Refusals are logged at WARN at most
 * once every {@value #REFUSAL_LOG_SECONDS} s (with the count of those not logged) and handed to the
 * {@link RefusalListener}, which re-declares the topology on a 404.
 *
 * <h2>Returned events</h2>
 *
 * An event the broker returns as unroutable while one of the transport's own subscriptions is bound
 * for its type ({@link OwnTopology}) found a gap in the topology, not an audience-less type: it is
 * sent again, at most twice, after the exchange and the subscriptions' queues and bindings are
 * declared again, off the I/O thread (see {@link TopologyResends}). Other returned events are
 * accepted and counted, or fail in the strict mode ({@link PublisherSettings#failUnroutable()}).
 *
 * <h2>Lifecycle</h2>
 *
 * Nothing runs until {@link #start()}, which starts the sender thread (supervised: restarted if it
 * dies) and the sweep; {@link #close(Duration)} stops both. Publishing before the start only fills
 * the buffer.
 */
public final class ConfirmingPublisher implements ConnectionSupervisor.Listener {
  private static final Logger log = LoggerFactory.getLogger(ConfirmingPublisher.class);

  /** At most one refusal warning per this many seconds. */
  static final long REFUSAL_LOG_SECONDS = 10;

  /**
   * Told, on the sender thread, when the broker refused something sent, before anything is sent
   * again: it may repair what it can (declare a deleted exchange), and should not block for long.
   */
  @FunctionalInterface
  public interface RefusalListener {
    void refused(int replyCode, String replyText);
  }

  /** How often expired events are failed, and the longest the idle sender waits. */
  static final Duration SWEEP_INTERVAL = Duration.ofMillis(50);

  /** Every this many sweeps, outstanding events are swept in full (see {@link #failExpired()}). */
  private static final int FULL_SWEEP_EVERY = 20;

  private final PublisherSettings settings;
  private final Supplier<ConnectionState> connectionState;
  private final ScheduledExecutorService scheduler;
  private final Executor completions;
  private final Ticker ticker;
  private final ThreadFactory threads;
  private final ThreadSupervisor supervisor;
  private final RefusalListener refusalListener;
  private final AtomicLong refusalsNotLogged = new AtomicLong();
  private final AtomicLong nextRefusalLog = new AtomicLong(Long.MIN_VALUE);
  private final PublishBuffer buffer;
  private final OutstandingConfirms outstanding = new OutstandingConfirms();
  private final ConfirmHandler confirms;
  private final TopologyResends topologyResends;
  private final Sender sender;
  private final PublishingChannel channel;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile @Nullable ScheduledFuture<?> sweeper;
  private volatile ThreadSupervisor.@Nullable Supervised senderThread;
  private long sweeps; // scheduler thread only

  /**
   * A publisher on {@code supervisor}'s connection, with the system clock.
   *
   * @param scheduler runs the sweep and the back-off before a nack retry
   * @param completions completes and fails the futures (user callbacks run there)
   * @param threads makes the sender thread
   * @param threadSupervisor restarts the sender thread if it dies, and keeps the sweep going
   * @param refusals told when the broker refuses something sent
   * @param ownTopology tells whether an own subscription is bound for a returned event's type, and
   *     declares the topology again
   * @param declaring runs those declarations (they block on the broker)
   */
  public static ConfirmingPublisher create(
      ConnectionSupervisor supervisor,
      PublisherSettings settings,
      ScheduledExecutorService scheduler,
      Executor completions,
      ThreadFactory threads,
      ThreadSupervisor threadSupervisor,
      RefusalListener refusals,
      OwnTopology ownTopology,
      Executor declaring) {
    return new ConfirmingPublisher(
        settings,
        () -> {
          Connection connection = supervisor.connection();
          return connection == null || !connection.isOpen() ? null : connection.createChannel();
        },
        supervisor::state,
        scheduler,
        completions,
        Ticker.system(),
        threads,
        threadSupervisor,
        refusals,
        ownTopology,
        declaring);
  }

  ConfirmingPublisher(
      PublisherSettings settings,
      PublishingChannel.Opener opener,
      Supplier<ConnectionState> connectionState,
      ScheduledExecutorService scheduler,
      Executor completions,
      Ticker ticker,
      ThreadFactory threads,
      ThreadSupervisor supervisor,
      RefusalListener refusalListener,
      OwnTopology ownTopology,
      Executor declaring) {
    this.settings = settings;
    this.connectionState = connectionState;
    this.scheduler = scheduler;
    this.completions = completions;
    this.ticker = ticker;
    this.threads = threads;
    this.supervisor = supervisor;
    this.refusalListener = refusalListener;
    this.buffer = new PublishBuffer(settings.maxBufferedEvents(), settings.maxBufferedBytes());
    this.topologyResends =
        new TopologyResends(ownTopology, buffer, scheduler, declaring, completions, ticker);
    this.confirms =
        new ConfirmHandler(outstanding, buffer, settings, completions, scheduler, topologyResends);
    this.sender =
        new Sender(
            buffer,
            outstanding,
            settings.maxOutstandingConfirms(),
            SWEEP_INTERVAL,
            ticker,
            completions,
            this::refused);
    this.channel =
        new PublishingChannel(opener, confirms, sender::blocked, buffer::wake, sender::channelLost);
    sender.channel(channel);
  }

  /** Logs a refusal (rate-limited) and hands it to the listener. On the sender thread. */
  private void refused(Refusal refusal) {
    long now = ticker.nanos();
    long next = nextRefusalLog.get();
    if ((next == Long.MIN_VALUE || now - next >= 0)
        && nextRefusalLog.compareAndSet(
            next, now + TimeUnit.SECONDS.toNanos(REFUSAL_LOG_SECONDS))) {
      long notLogged = refusalsNotLogged.getAndSet(0);
      log.warn(
          "The broker refused a publish and closed the publishing channel: {}; the events sent"
              + " with it are sent again one at a time, and the one refused again fails with"
              + " PublishRefusedException{}",
          SafeText.of(refusal, SafeText.MAX_MESSAGE_CHARS),
          notLogged == 0
              ? ""
              : " (" + notLogged + " refusals since the last such warning were not logged)");
    } else {
      refusalsNotLogged.incrementAndGet();
    }
    try {
      refusalListener.refused(refusal.replyCode(), refusal.replyText());
    } catch (RuntimeException e) {
      log.warn("The refusal listener failed: {}", SafeText.message(e));
    }
  }

  /**
   * Starts the sender thread and the deadline sweep.
   *
   * @throws IllegalStateException if already started
   */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("The publisher is already started");
    }
    senderThread = supervisor.start("the publisher's sender thread", threads, sender);
    sweeper =
        scheduler.scheduleWithFixedDelay(
            supervisor.periodic("the publish deadline sweep", this::failExpired),
            SWEEP_INTERVAL.toNanos(),
            SWEEP_INTERVAL.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /**
   * Queues a message for publishing and returns a future completed by the broker's confirm, or
   * failed with a {@link PublishException}: at once with {@link EventTooLargeException} if its body
   * is over {@link PublisherSettings#maxMessageBytes()} (or over the whole buffer's {@link
   * PublisherSettings#maxBufferedBytes()}) or its headers do not fit a frame. Only appends to the
   * buffer; never touches a channel.
   */
  public CompletableFuture<Void> publish(
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body,
      String eventId,
      String eventType) {
    if (body.length > settings.maxMessageBytes() || body.length > settings.maxBufferedBytes()) {
      boolean message = settings.maxMessageBytes() <= settings.maxBufferedBytes();
      return CompletableFuture.failedFuture(
          EventTooLargeException.body(
              eventId,
              eventType,
              body.length,
              message ? settings.maxMessageBytes() : settings.maxBufferedBytes(),
              message
                  ? "PublisherSettings.maxMessageBytes"
                  : "PublisherSettings.maxBufferedBytes"));
    }
    return offer(exchange, routingKey, properties, body, eventId, eventType, false);
  }

  /**
   * Like {@link #publish}, for a copy of a message that was received (parked, redelivered or
   * replayed): its body is not held to {@link PublisherSettings#maxMessageBytes()}, since the
   * broker already accepted it and the consumer's inbound limit bounds it; its headers must still
   * fit a frame. A copy that no queue takes always fails with {@link
   * io.eventbus.UnroutableEventException}, whatever {@link PublisherSettings#failUnroutable()}
   * says: its original is acknowledged only once the copy is stored.
   */
  public CompletableFuture<Void> publishCopy(
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body,
      String eventId,
      String eventType) {
    return offer(exchange, routingKey, properties, body, eventId, eventType, true);
  }

  private CompletableFuture<Void> offer(
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body,
      String eventId,
      String eventType,
      boolean copy) {
    int frameMax = channel.frameMax();
    if (!FrameSizes.fits(properties, frameMax)) {
      return CompletableFuture.failedFuture(
          EventTooLargeException.headers(
              eventId, eventType, FrameSizes.contentHeaderFrame(properties), frameMax));
    }
    Publish publish =
        new Publish(
            exchange,
            routingKey,
            properties,
            body,
            eventId,
            eventType,
            ticker.nanos() + settings.timeout().toNanos(),
            copy);
    publish.fitsFrameMax = frameMax;
    buffer.offer(publish);
    return publish.future;
  }

  public int bufferedEvents() {
    return buffer.size();
  }

  public long bufferedBytes() {
    return buffer.bytes();
  }

  public int outstandingConfirms() {
    return outstanding.size();
  }

  public long resentAfterRecovery() {
    return sender.resent();
  }

  public long nackRetries() {
    return confirms.nackRetries();
  }

  /**
   * Events sent again because the broker returned them while an own subscription was bound for
   * their type, after the topology was declared again (see {@link TopologyResends}), since the
   * start.
   */
  public long topologyResends() {
    return topologyResends.resent();
  }

  public long unroutableAccepted() {
    return confirms.unroutable().total();
  }

  /** The unroutable events accepted, by type (see {@link PublisherSettings#failUnroutable()}). */
  public UnroutableEvents unroutable() {
    return confirms.unroutable();
  }

  /** Events failed because the broker refused them (see {@link Sender}), since the start. */
  public long refusedByBroker() {
    return sender.refused();
  }

  /**
   * The negotiated {@code frame_max} of the publishing connection (0: no limit), or RabbitMQ's
   * default (128 KiB) before the first connection: copies must fit it.
   */
  public int frameMax() {
    return channel.frameMax();
  }

  @Override
  public void connected(Connection connection) {
    sender.blocked(false);
  }

  @Override
  public void disconnected() {
    buffer.wake();
  }

  @Override
  public void blocked(boolean blocked) {
    sender.blocked(blocked);
  }

  /**
   * Fails the expired events, buffered ("could not be sent within") or outstanding or waiting to be
   * sent again after a topology gap ("was not confirmed within"). Outstanding events expire roughly
   * in sequence order, so most sweeps stop at the first live one; every {@value
   * #FULL_SWEEP_EVERY}th looks at all of them.
   */
  void failExpired() {
    long now = ticker.nanos();
    List<Publish> unsent = buffer.removeExpired(now);
    if (!unsent.isEmpty()) {
      String why =
          "it could not be sent within "
              + settings.timeout()
              + " (publishing connection "
              + connectionState.get().name().toLowerCase(Locale.ROOT)
              + ", "
              + outstanding.size()
              + " confirms outstanding)";
      for (Publish publish : unsent) {
        publish.fail(
            completions,
            PublishNotConfirmedException.failed(publish.eventId, publish.eventType, why, null));
      }
    }
    boolean full = ++sweeps % FULL_SWEEP_EVERY == 0;
    for (Publish publish : outstanding.removeExpired(now, full)) {
      publish.fail(
          completions,
          PublishNotConfirmedException.timedOut(
              publish.eventId, publish.eventType, settings.timeout()));
    }
    for (Publish publish : topologyResends.removeExpired(now)) {
      publish.fail(
          completions,
          PublishNotConfirmedException.timedOut(
              publish.eventId, publish.eventType, settings.timeout()));
    }
  }

  /**
   * Stops accepting publishes, waits up to {@code timeout} for buffered and outstanding events to
   * be confirmed, fails the rest, and closes the channel.
   */
  public void close(Duration timeout) {
    long deadline = ticker.nanos() + timeout.toNanos();
    buffer.close();
    try {
      buffer.awaitDrained(
          () -> outstanding.size() + topologyResends.waiting() + confirms.retrying(),
          ticker,
          deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    buffer.stop();
    ScheduledFuture<?> sweep = sweeper;
    if (sweep != null) {
      sweep.cancel(false);
    }
    ThreadSupervisor.Supervised thread = senderThread;
    try {
      if (thread != null) {
        thread.join(Duration.ofSeconds(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String why = "the transport closed before it was confirmed";
    for (Publish publish : buffer.drain()) {
      publish.fail(
          completions,
          PublishNotConfirmedException.failed(publish.eventId, publish.eventType, why, null));
    }
    for (Publish publish : confirms.drainRetries()) {
      publish.fail(
          completions,
          PublishNotConfirmedException.failed(publish.eventId, publish.eventType, why, null));
    }
    for (Publish publish : topologyResends.drain()) {
      publish.fail(
          completions,
          PublishNotConfirmedException.failed(publish.eventId, publish.eventType, why, null));
    }
    for (Publish publish : outstanding.removeAll()) {
      publish.fail(
          completions,
          PublishNotConfirmedException.failed(publish.eventId, publish.eventType, why, null));
    }
    channel.close();
  }
}
