package io.eventbus.rabbitmq.internal.publish;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.UnroutableEventException;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.spi.SafeText;
import io.eventbus.spi.UnroutableEvents;
import io.github.resilience4j.core.IntervalFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles outstanding events from the broker's confirms and returns: an ack completes an event; a
 * returned one is handed to {@link TopologyResends} if an own subscription is bound for its type
 * (to be sent again once the topology is declared again), else accepted and counted or, in the
 * strict mode or for a copy, failed as unroutable; a nack sends it again after a back-off or, after
 * the last retry, fails it.
 *
 * <p>It runs on the connection's I/O thread, so it only updates {@link OutstandingConfirms} and
 * hands every completion to the {@code completions} executor, once per confirm frame (a multiple
 * ack completes hundreds of events in one hand-off); no user code runs on the I/O thread. A nack
 * retry goes back into the buffer from the scheduler.
 */
final class ConfirmHandler implements ConfirmListener, ReturnListener {
  private static final Logger log = LoggerFactory.getLogger(ConfirmHandler.class);

  private final OutstandingConfirms outstanding;
  private final PublishBuffer buffer;
  private final PublisherSettings settings;
  private final Executor completions;
  private final ScheduledExecutorService scheduler;
  private final TopologyResends topologyResends;
  private final IntervalFunction nackBackoff;
  private final AtomicLong nackRetries = new AtomicLong();
  private final Set<Publish> retrying = ConcurrentHashMap.newKeySet();
  private final UnroutableEvents unroutable = UnroutableEvents.create("RabbitMQ");

  ConfirmHandler(
      OutstandingConfirms outstanding,
      PublishBuffer buffer,
      PublisherSettings settings,
      Executor completions,
      ScheduledExecutorService scheduler,
      TopologyResends topologyResends) {
    this.outstanding = outstanding;
    this.buffer = buffer;
    this.settings = settings;
    this.completions = completions;
    this.scheduler = scheduler;
    this.topologyResends = topologyResends;
    this.nackBackoff =
        IntervalFunction.ofExponentialRandomBackoff(settings.nackBackoff(), 2.0, 0.5);
  }

  long nackRetries() {
    return nackRetries.get();
  }

  /** Events waiting out the back-off before their retry after a nack. */
  int retrying() {
    return retrying.size();
  }

  /**
   * Takes every event waiting for its retry after a nack, for close to fail: a retry still
   * scheduled when the transport closes would otherwise never run, and its future never complete.
   */
  List<Publish> drainRetries() {
    List<Publish> drained = new ArrayList<>();
    for (Publish publish : retrying) {
      if (retrying.remove(publish)) {
        drained.add(publish);
      }
    }
    return drained;
  }

  /** Fails a nacked event whose retry found the publisher stopped. */
  private void failClosed(Publish publish) {
    if (!publish.future.isDone()) {
      publish.fail(
          completions,
          PublishNotConfirmedException.failed(
              publish.eventId,
              publish.eventType,
              "the broker did not confirm it (nack) and the transport closed before its retry",
              null));
    }
  }

  UnroutableEvents unroutable() {
    return unroutable;
  }

  @Override
  public void handleAck(long tag, boolean multiple) {
    settle(tag, multiple, true);
  }

  @Override
  public void handleNack(long tag, boolean multiple) {
    settle(tag, multiple, false);
  }

  @Override
  public void handleReturn(
      int replyCode,
      String replyText,
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body) {
    String eventId = properties.getMessageId();
    if (!outstanding.markReturned(eventId, exchange, routingKey, replyCode + " " + replyText)) {
      log.debug(
          "Return for an unknown publish of {} to {}",
          SafeText.of(eventId),
          SafeText.of(routingKey));
    }
  }

  private void settle(long tag, boolean multiple, boolean acked) {
    int before = outstanding.size();
    List<Publish> settled = outstanding.remove(tag, multiple);
    List<Publish> confirmed = null;
    for (int i = 0; i < settled.size(); i++) {
      Publish publish = settled.get(i);
      if (settle(publish, acked)) {
        if (confirmed == null) {
          confirmed = new ArrayList<>(settled.size() - i);
        }
        confirmed.add(publish);
      }
    }
    if (confirmed != null) {
      List<Publish> done = confirmed;
      completions.execute(
          () -> {
            for (int i = 0; i < done.size(); i++) {
              done.get(i).future.complete(null);
            }
          });
    }
    if (before >= settings.maxOutstandingConfirms() || outstanding.size() == 0) {
      buffer.wake();
    }
  }

  /** Decides what becomes of one settled event; true if it is confirmed. */
  private boolean settle(Publish publish, boolean acked) {
    if (!acked) {
      if (publish.nacks < settings.nackRetries()) {
        publish.nacks++;
        nackRetries.incrementAndGet();
        long delay = nackBackoff.apply(publish.nacks);
        retrying.add(publish);
        Runnable retry =
            () -> {
              if (retrying.remove(publish) && !buffer.requeueBack(publish)) {
                failClosed(publish);
              }
            };
        try {
          scheduler.schedule(retry, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          retrying.remove(publish);
          failClosed(publish);
        }
      } else {
        publish.fail(
            completions, PublishNotConfirmedException.nacked(publish.eventId, publish.eventType));
      }
      return false;
    }
    String returned = publish.returnedWith;
    if (returned != null && topologyResends.take(publish)) {
      return false; // sent again once the topology is declared again
    }
    if (returned != null && (publish.copy || settings.failUnroutable())) {
      publish.fail(
          completions,
          UnroutableEventException.returned(
              publish.eventId, publish.eventType, publish.destination(), returned));
      return false;
    }
    if (returned != null) {
      unroutable.accepted(publish.eventType);
    }
    return true;
  }
}
