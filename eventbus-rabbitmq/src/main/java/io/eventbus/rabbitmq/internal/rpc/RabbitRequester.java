package io.eventbus.rabbitmq.internal.rpc;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.RequestException;
import io.eventbus.RequestException.Reason;
import io.eventbus.codec.WireMessage;
import io.eventbus.rabbitmq.internal.AmqpMapping;
import io.eventbus.rabbitmq.internal.ConnectionSupervisor;
import io.eventbus.rabbitmq.internal.DaemonThreads;
import io.eventbus.rabbitmq.internal.Exceptions;
import io.eventbus.rabbitmq.internal.TopologyDeclarer;
import io.eventbus.spi.OutboundMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends requests and receives their replies over RabbitMQ's direct reply-to, on a channel of the
 * publishing connection that one thread ({@code eventbus-requester-1}) owns: it opens the channel,
 * consumes the pseudo-queue {@value #REPLY_TO} (no-ack) on it before anything is published, then
 * publishes each request mandatory to the request exchange with {@code reply_to} set to it.
 *
 * <ul>
 *   <li>A request no queue is bound for comes back as a {@code basic.return} at once: {@link
 *       Reason#NO_RESPONDER}.
 *   <li>A reply is matched by its {@code correlation_id} (the request's {@code message_id}) and
 *       completed on {@code eventbus-replies-1}, never on amqp-client's threads; a reply without a
 *       waiting request (late, or a duplicate) is dropped and counted.
 *   <li>Every request has a timer: at its timeout it fails with {@link Reason#DEADLINE_EXCEEDED}.
 *       The broker drops it too once it has waited that long ({@code expiration}).
 *   <li>Recovery: a request not yet sent waits for a channel within its timeout. When the channel
 *       or the connection is lost, every request sent on it fails at once with {@link
 *       Reason#CONNECTION_LOST}: its reply can no longer arrive (direct reply-to is bound to the
 *       channel). Nothing is re-sent here; the bus's policy re-sends idempotent requests.
 * </ul>
 */
public final class RabbitRequester implements ConnectionSupervisor.Listener, AutoCloseable {
  /** The pseudo-queue of direct reply-to. */
  public static final String REPLY_TO = "amq.rabbitmq.reply-to";

  private static final Logger log = LoggerFactory.getLogger(RabbitRequester.class);
  private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final Outgoing WAKE_UP = new Outgoing(null, Duration.ZERO, null);

  /** One request: what to publish, its future, its timer, the channel it went out on. */
  private static final class Outgoing {
    final @Nullable OutboundMessage request;
    final Duration timeout;
    final @Nullable CompletableFuture<WireMessage> reply;
    volatile long channel; // the generation it was sent on; 0 while unsent
    volatile @Nullable ScheduledFuture<?> timer;

    Outgoing(
        @Nullable OutboundMessage request,
        Duration timeout,
        @Nullable CompletableFuture<WireMessage> reply) {
      this.request = request;
      this.timeout = timeout;
      this.reply = reply;
    }
  }

  private final ConnectionSupervisor supervisor;
  private final TopologyDeclarer declarer;
  private final String exchange;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService replies;
  private final LinkedBlockingQueue<Outgoing> queue = new LinkedBlockingQueue<>();
  private final Map<String, Outgoing> pending = new ConcurrentHashMap<>();
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong lateReplies = new AtomicLong();
  private final Thread sender;
  private volatile boolean closed;
  private volatile @Nullable Channel channel; // only the sender opens and publishes on it
  private volatile long generation;

  /**
   * @param exchange the request exchange
   * @param scheduler runs the requests' timers
   */
  public RabbitRequester(
      ConnectionSupervisor supervisor,
      TopologyDeclarer declarer,
      String exchange,
      ScheduledExecutorService scheduler,
      ThreadFactory senderThreads) {
    this.supervisor = supervisor;
    this.declarer = declarer;
    this.exchange = exchange;
    this.scheduler = scheduler;
    this.replies = Executors.newSingleThreadExecutor(new DaemonThreads("replies"));
    this.sender = senderThreads.newThread(this::run);
  }

  /** Starts the sender thread; not done by the constructor. */
  public void start() {
    sender.start();
  }

  /** Replies that arrived for no waiting request (late after a timeout, or duplicates). */
  public long lateReplies() {
    return lateReplies.get();
  }

  /** Requests sent and not yet answered, failed or timed out. */
  public int outstanding() {
    return pending.size();
  }

  /** Queues {@code request} for the sender; see the class comment for how it completes. */
  public CompletionStage<WireMessage> request(OutboundMessage request, Duration timeout) {
    CompletableFuture<WireMessage> reply = new CompletableFuture<>();
    if (closed) {
      reply.completeExceptionally(closed(request));
      return reply;
    }
    Outgoing outgoing = new Outgoing(request, timeout, reply);
    outgoing.timer =
        scheduler.schedule(
            () -> {
              if (reply.completeExceptionally(
                  RequestException.deadlineExceeded(
                      request.eventId(), request.eventType(), timeout))) {
                pending.remove(request.eventId(), outgoing);
              }
            },
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
    queue.add(outgoing);
    if (closed) {
      reply.completeExceptionally(closed(request));
    }
    return reply;
  }

  private static RequestException closed(OutboundMessage request) {
    return RequestException.of(
        request.eventId(), request.eventType(), Reason.CLOSED, "the transport is closed", null);
  }

  @Override
  public void connected(Connection connection) {
    queue.add(WAKE_UP);
  }

  private void run() {
    ArrayDeque<Outgoing> waiting = new ArrayDeque<>();
    while (!closed) {
      try {
        Outgoing next =
            waiting.isEmpty() ? queue.take() : queue.poll(IDLE_POLL_NANOS, TimeUnit.NANOSECONDS);
        if (next != null && next != WAKE_UP) {
          waiting.add(next);
        }
        queue.drainTo(waiting);
        waiting.removeIf(outgoing -> outgoing == WAKE_UP || outgoing.reply.isDone());
        if (waiting.isEmpty()) {
          continue;
        }
        Channel current = channel();
        if (current == null) {
          continue; // the connection is recovering: unsent requests wait within their timeouts
        }
        while (!waiting.isEmpty()) {
          Outgoing outgoing = waiting.poll();
          if (!outgoing.reply.isDone()) {
            publish(current, outgoing);
          }
        }
      } catch (InterruptedException e) {
        if (closed) {
          break;
        }
      } catch (RuntimeException e) {
        log.warn("The requester's sender failed; going on: {}", Exceptions.describe(e));
      }
    }
    for (Outgoing outgoing : waiting) {
      fail(outgoing, closed(outgoing.request));
    }
  }

  private void publish(Channel current, Outgoing outgoing) {
    OutboundMessage request = outgoing.request;
    long millis = Math.max(1, (outgoing.timeout.toNanos() + 999_999) / 1_000_000);
    AMQP.BasicProperties properties =
        AmqpMapping.properties(request.message())
            .builder()
            .deliveryMode(1)
            .replyTo(REPLY_TO)
            .expiration(Long.toString(millis))
            .build();
    outgoing.channel = generation;
    pending.put(request.eventId(), outgoing);
    try {
      current.basicPublish(
          exchange, request.eventType(), true, properties, request.message().body());
    } catch (IOException | AlreadyClosedException e) {
      pending.remove(request.eventId(), outgoing);
      fail(
          outgoing,
          RequestException.of(
              request.eventId(),
              request.eventType(),
              Reason.CONNECTION_LOST,
              "the request channel failed while sending: " + Exceptions.describe(e),
              e));
      lost(current);
    }
  }

  /** The open request channel, opening one if the connection is up; null while it is not. */
  private @Nullable Channel channel() {
    Channel current = channel;
    if (current != null && current.isOpen()) {
      return current;
    }
    Connection connection = supervisor.connection();
    if (connection == null) {
      return null;
    }
    Channel opened = null;
    try {
      opened = connection.createChannel();
      declarer.declareRequestExchange(opened);
      long next = generations.incrementAndGet();
      Channel owned = opened;
      opened.addReturnListener(
          returned -> {
            String id = returned.getProperties().getMessageId();
            Outgoing outgoing = id == null ? null : pending.get(id);
            if (outgoing != null && outgoing.channel == next && pending.remove(id, outgoing)) {
              fail(outgoing, RequestException.noResponder(id, outgoing.request.eventType()));
            }
          });
      opened.addShutdownListener(signal -> lost(owned));
      opened.basicConsume(REPLY_TO, true, new Replies(opened));
      synchronized (this) {
        generation = next;
        channel = opened;
      }
      return opened;
    } catch (IOException | ShutdownSignalException e) {
      log.debug("The request channel could not be opened yet: {}", Exceptions.describe(e));
      if (opened != null) {
        closeQuietly(opened);
      }
      return null;
    }
  }

  /** Fails every request sent on {@code lost}'s generation: their replies cannot arrive. */
  private void lost(Channel lost) {
    long dead;
    synchronized (this) {
      if (channel != lost && channel != null) {
        return;
      }
      dead = generation;
      channel = null;
    }
    int failed = 0;
    for (Outgoing outgoing : pending.values()) {
      if (outgoing.channel == dead && pending.remove(outgoing.request.eventId(), outgoing)) {
        failed++;
        fail(
            outgoing,
            RequestException.of(
                outgoing.request.eventId(),
                outgoing.request.eventType(),
                Reason.CONNECTION_LOST,
                "the connection carrying its reply was lost; the responder may have acted on it",
                null));
      }
    }
    if (failed > 0) {
      log.warn("Request channel lost: {} requests in flight failed", failed);
    }
    queue.add(WAKE_UP);
  }

  private void fail(Outgoing outgoing, RequestException failure) {
    ScheduledFuture<?> timer = outgoing.timer;
    if (timer != null) {
      timer.cancel(false);
    }
    execute(() -> outgoing.reply.completeExceptionally(failure));
  }

  private void execute(Runnable completion) {
    try {
      replies.execute(completion);
    } catch (RuntimeException e) {
      completion.run(); // closed: complete on this thread rather than never
    }
  }

  /** The consumer of direct reply-to: matches each reply to its request. */
  private final class Replies extends DefaultConsumer {
    Replies(Channel channel) {
      super(channel);
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      String id = properties.getCorrelationId();
      Outgoing outgoing = id == null ? null : pending.remove(id);
      if (outgoing == null) {
        lateReplies.incrementAndGet();
        log.debug(
            "A reply for no waiting request arrived (correlation {}); dropped",
            io.eventbus.spi.SafeText.of(id));
        return;
      }
      ScheduledFuture<?> timer = outgoing.timer;
      if (timer != null) {
        timer.cancel(false);
      }
      WireMessage reply = AmqpMapping.wireMessage(properties, body);
      execute(() -> outgoing.reply.complete(reply));
    }
  }

  /** Stops the sender, fails every request not answered with {@link Reason#CLOSED}. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    sender.interrupt();
    try {
      sender.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Outgoing outgoing;
    while ((outgoing = queue.poll()) != null) {
      if (outgoing != WAKE_UP) {
        fail(outgoing, closed(outgoing.request));
      }
    }
    for (Outgoing sent : pending.values()) {
      if (pending.remove(sent.request.eventId(), sent)) {
        fail(sent, closed(sent.request));
      }
    }
    Channel current = channel;
    if (current != null) {
      closeQuietly(current);
    }
    replies.shutdown();
  }

  private static void closeQuietly(Channel channel) {
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException | AlreadyClosedException e) {
      log.debug("The request channel did not close cleanly: {}", Exceptions.describe(e));
    }
  }
}
