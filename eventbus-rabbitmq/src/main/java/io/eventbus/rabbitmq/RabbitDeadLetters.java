package io.eventbus.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.eventbus.EventBusException;
import io.eventbus.rabbitmq.internal.AmqpMapping;
import io.eventbus.rabbitmq.internal.BrokerHeaders;
import io.eventbus.rabbitmq.internal.ConnectionSupervisor;
import io.eventbus.rabbitmq.internal.DeadLetterLock;
import io.eventbus.rabbitmq.internal.publish.ConfirmingPublisher;
import io.eventbus.spi.DeadLetterReason;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter queue of one subscription, from code: count, look at, replay or discard parked
 * events. Obtained from {@link RabbitTransport#deadLetters(String)}.
 *
 * <pre>{@code
 * RabbitDeadLetters parked = transport.deadLetters("shipping");
 * parked.peek(20).forEach(event -> log.info("{} {}", event.eventId(), event.errorMessage()));
 * parked.replay(ParkedEvent.failedWith(PaymentProviderDown.class));  // after the outage
 * parked.discard(ParkedEvent.ofType("order.test.v1"));
 * }</pre>
 *
 * <p>A replay sends a parked message back into <em>its own subscription's queue only</em> (the
 * default exchange, with the queue it was consumed from as routing key), never through the bus's
 * exchange, which would hand it again to subscriptions that handled it. The copy keeps the body,
 * the properties and the failure headers as history; only the redelivery count is reset, so the
 * event gets its delayed redeliveries again, and its attempt number continues. The copy is
 * confirmed by the broker before the parked message is removed.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe; each operation uses a channel of its own. Operations that look at or change parked
 * messages ({@code peek}, {@code export}, {@code replay}, {@code discard}) run one at a time per
 * dead-letter queue, across processes: each holds the exclusive lock queue {@code <dead-letter
 * queue>.lock} while it runs, and one that finds it held fails at once with {@link
 * DeadLettersBusyException}. So two operators never replay the same event at once, and every
 * operation sees all the parked messages. {@link #count()} takes no lock.
 *
 * <h2>Lifecycle</h2>
 *
 * Valid while its transport is open. Each operation works on the messages parked when it started
 * and returns the others to the queue; messages parked meanwhile wait for the next operation.
 *
 * <h2>Failures</h2>
 *
 * Operations throw {@link EventBusException} when the broker cannot be reached, and {@link
 * DeadLettersBusyException} when another operation holds the queue. A replay whose copy is not
 * confirmed leaves that message parked and continues with the next; the returned count says how
 * many were replayed.
 */
public final class RabbitDeadLetters {
  private static final Logger log = LoggerFactory.getLogger(RabbitDeadLetters.class);
  private static final Duration RETURN_WAIT = Duration.ofSeconds(2);

  private final String subscription;
  private final String queue;
  private final ConnectionSupervisor connections;
  private final ConfirmingPublisher publisher;
  private final Duration timeout;

  RabbitDeadLetters(
      String subscription,
      String queue,
      ConnectionSupervisor connections,
      ConfirmingPublisher publisher,
      Duration timeout) {
    this.subscription = subscription;
    this.queue = queue;
    this.connections = connections;
    this.publisher = publisher;
    this.timeout = timeout;
  }

  /** The dead-letter queue's name. */
  public String queue() {
    return queue;
  }

  /** How many messages are parked. */
  public long count() {
    return scan(channel -> channel.messageCount(queue));
  }

  /** Up to {@code max} parked events, oldest first, left in the queue. */
  public List<ParkedEvent> peek(int max) {
    return peek(max, parked -> true);
  }

  /** Up to {@code max} parked events matching {@code filter}, oldest first, left in the queue. */
  public List<ParkedEvent> peek(int max, Predicate<ParkedEvent> filter) {
    Objects.requireNonNull(filter, "filter");
    if (max < 0) {
      throw new IllegalArgumentException("max must not be negative, was " + max);
    }
    List<ParkedEvent> found = new ArrayList<>();
    forEachParked(
        (channel, parked, message) -> {
          if (found.size() < max && filter.test(parked)) {
            found.add(parked);
          }
          return false;
        });
    return found;
  }

  /**
   * Hands every parked event matching {@code filter} to {@code sink} with its body, oldest first,
   * and leaves them parked; returns how many it handed over. For archiving before a discard: the
   * body is the event's data as published, which {@link ParkedEvent} leaves out.
   *
   * <p>{@code sink} runs on the calling thread while the queue is locked; an exception it throws
   * ends the export and leaves every message parked.
   */
  public int export(Predicate<ParkedEvent> filter, BiConsumer<ParkedEvent, byte[]> sink) {
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(sink, "sink");
    int[] exported = {0};
    forEachParked(
        (channel, parked, message) -> {
          if (filter.test(parked)) {
            sink.accept(parked, message.getBody());
            exported[0]++;
          }
          return false;
        });
    return exported[0];
  }

  /** Replays every parked event matching {@code filter}; returns how many were replayed. */
  public int replay(Predicate<ParkedEvent> filter) {
    Objects.requireNonNull(filter, "filter");
    int[] replayed = {0};
    forEachParked(
        (channel, parked, message) -> {
          if (!filter.test(parked) || !republish(parked, message)) {
            return false;
          }
          replayed[0]++;
          return true;
        });
    log.info("Replayed {} parked events of subscription {}", replayed[0], subscription);
    return replayed[0];
  }

  /** Replays every parked event; returns how many were replayed. */
  public int replayAll() {
    return replay(parked -> true);
  }

  /** Removes every parked event matching {@code filter}; returns how many were removed. */
  public int discard(Predicate<ParkedEvent> filter) {
    Objects.requireNonNull(filter, "filter");
    int[] discarded = {0};
    forEachParked(
        (channel, parked, message) -> {
          if (!filter.test(parked)) {
            return false;
          }
          discarded[0]++;
          return true;
        });
    log.info("Discarded {} parked events of subscription {}", discarded[0], subscription);
    return discarded[0];
  }

  private boolean republish(ParkedEvent parked, GetResponse message) {
    Map<String, Object> headers = new LinkedHashMap<>();
    if (message.getProps().getHeaders() != null) {
      headers.putAll(message.getProps().getHeaders());
    }
    headers.remove(BrokerHeaders.DELIVERY_COUNT);
    headers.remove(DeadLetterReason.HEADER_REDELIVERIES);
    AMQP.BasicProperties properties = message.getProps().builder().headers(headers).build();
    String id = String.valueOf(parked.eventId());
    String type = String.valueOf(parked.eventType());
    try {
      publisher
          .publishCopy("", parked.queue(), properties, message.getBody(), id, type)
          .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (ExecutionException e) {
      log.warn(
          "Parked event {} could not be replayed into {}: {}",
          id,
          parked.queue(),
          e.getCause().getMessage());
    } catch (TimeoutException e) {
      log.warn("Parked event {} was not confirmed within {}; left parked", id, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EventBusException("Interrupted while replaying parked event " + id, e);
    }
    return false;
  }

  /** Decides about one parked message; returns true to remove it from the queue. */
  private interface Visitor {
    boolean visit(Channel channel, ParkedEvent parked, GetResponse message) throws IOException;
  }

  private interface Operation<T> {
    T run(Channel channel) throws IOException;
  }

  /**
   * Under the queue's lock, fetches every message parked now, one by one without acknowledging,
   * lets {@code visitor} decide, acknowledges those it removes, and returns the rest to the queue
   * in their order. Always all of them: a quorum queue puts a returned message at its back
   * (RabbitMQ 3.10), so stopping early would rotate the queue and the oldest would no longer come
   * first.
   */
  private void forEachParked(Visitor visitor) {
    scan(
        channel -> {
          try (DeadLetterLock lock = DeadLetterLock.acquire(channel.getConnection(), queue)) {
            visitParked(channel, visitor);
          } catch (DeadLetterLock.Busy busy) {
            throw new DeadLettersBusyException(queue);
          }
          return null;
        });
  }

  private void visitParked(Channel channel, Visitor visitor) throws IOException {
    long parkedNow = channel.messageCount(queue);
    List<Long> kept = new ArrayList<>();
    long removed = 0;
    try {
      for (long i = 0; i < parkedNow; i++) {
        GetResponse message = channel.basicGet(queue, false);
        if (message == null) {
          break;
        }
        long tag = message.getEnvelope().getDeliveryTag();
        ParkedEvent parked =
            ParkedEvent.of(
                AmqpMapping.wireMessage(message.getProps(), message.getBody()).headers(),
                message.getBody().length,
                subscription);
        if (visitor.visit(channel, parked, message)) {
          channel.basicAck(tag, false);
          removed++;
        } else {
          kept.add(tag);
        }
      }
    } finally {
      for (long tag : kept) {
        channel.basicNack(tag, false, true);
      }
    }
    awaitReturned(channel, parkedNow - removed);
  }

  /**
   * A quorum queue takes returned messages back asynchronously: wait a little (at most {@link
   * #RETURN_WAIT}) until they count again, so that a count right after a peek sees them.
   */
  private void awaitReturned(Channel channel, long expected) throws IOException {
    long until = System.nanoTime() + RETURN_WAIT.toNanos();
    while (channel.messageCount(queue) < expected && System.nanoTime() < until) {
      try {
        TimeUnit.MILLISECONDS.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private <T> T scan(Operation<T> operation) {
    Connection connection = connections.connection();
    if (connection == null) {
      throw new EventBusException(
          "Dead-letter queue " + queue + " cannot be read: the consuming connection is recovering");
    }
    try (Channel channel = connection.createChannel()) {
      return operation.run(channel);
    } catch (IOException | TimeoutException | RuntimeException e) {
      if (e instanceof EventBusException bus) {
        throw bus;
      }
      throw new EventBusException(
          "Dead-letter queue " + queue + " could not be read: " + e.getMessage(), e);
    }
  }
}
