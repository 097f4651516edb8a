package io.eventbus.rabbitmq.internal.publish;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import io.eventbus.PublishException;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.rabbitmq.ConnectionState;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.internal.ConnectionSupervisor;
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
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

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
 * <h2>Lifecycle</h2>
 *
 * Nothing runs until {@link #start()}, which starts the sender thread and the sweep; {@link
 * #close(Duration)} stops both. Publishing before the start only fills the buffer.
 */
public final class ConfirmingPublisher implements ConnectionSupervisor.Listener {
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
  private final PublishBuffer buffer;
  private final OutstandingConfirms outstanding = new OutstandingConfirms();
  private final ConfirmHandler confirms;
  private final Sender sender;
  private final PublishingChannel channel;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile @Nullable ScheduledFuture<?> sweeper;
  private long sweeps; // scheduler thread only

  /**
   * A publisher on {@code supervisor}'s connection, with the system clock.
   *
   * @param scheduler runs the sweep and the back-off before a nack retry
   * @param completions completes and fails the futures (user callbacks run there)
   * @param threads makes the sender thread
   */
  public static ConfirmingPublisher create(
      ConnectionSupervisor supervisor,
      PublisherSettings settings,
      ScheduledExecutorService scheduler,
      Executor completions,
      ThreadFactory threads) {
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
        threads);
  }

  ConfirmingPublisher(
      PublisherSettings settings,
      PublishingChannel.Opener opener,
      Supplier<ConnectionState> connectionState,
      ScheduledExecutorService scheduler,
      Executor completions,
      Ticker ticker,
      ThreadFactory threads) {
    this.settings = settings;
    this.connectionState = connectionState;
    this.scheduler = scheduler;
    this.completions = completions;
    this.ticker = ticker;
    this.threads = threads;
    this.buffer = new PublishBuffer(settings.maxBufferedEvents(), settings.maxBufferedBytes());
    this.confirms = new ConfirmHandler(outstanding, buffer, settings, completions, scheduler);
    this.sender =
        new Sender(buffer, outstanding, settings.maxOutstandingConfirms(), SWEEP_INTERVAL);
    this.channel =
        new PublishingChannel(
            opener, confirms, sender::blocked, buffer::wake, sender::requeueOutstanding);
    sender.channel(channel);
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
    sender.start(threads);
    sweeper =
        scheduler.scheduleWithFixedDelay(
            this::failExpired,
            SWEEP_INTERVAL.toNanos(),
            SWEEP_INTERVAL.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /**
   * Queues a message for publishing and returns a future completed by the broker's confirm, or
   * failed with a {@link PublishException}. Only appends to the buffer; never touches a channel.
   */
  public CompletableFuture<Void> publish(
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body,
      String eventId,
      String eventType) {
    Publish publish =
        new Publish(
            exchange,
            routingKey,
            properties,
            body,
            eventId,
            eventType,
            ticker.nanos() + settings.timeout().toNanos());
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

  public long unroutableAccepted() {
    return confirms.unroutableAccepted();
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
   * Fails the expired events, buffered ("could not be sent within") or outstanding ("was not
   * confirmed within"). Outstanding events expire roughly in sequence order, so most sweeps stop at
   * the first live one; every {@value #FULL_SWEEP_EVERY}th looks at all of them.
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
  }

  /**
   * Stops accepting publishes, waits up to {@code timeout} for buffered and outstanding events to
   * be confirmed, fails the rest, and closes the channel.
   */
  public void close(Duration timeout) {
    long deadline = ticker.nanos() + timeout.toNanos();
    buffer.close();
    try {
      buffer.awaitDrained(outstanding::size, ticker, deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    buffer.stop();
    ScheduledFuture<?> sweep = sweeper;
    if (sweep != null) {
      sweep.cancel(false);
    }
    try {
      sender.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String why = "the transport closed before it was confirmed";
    for (Publish publish : buffer.drain()) {
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
