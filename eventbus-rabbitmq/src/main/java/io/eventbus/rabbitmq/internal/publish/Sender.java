package io.eventbus.rabbitmq.internal.publish;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.EventTooLargeException;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.PublishRefusedException;
import io.eventbus.rabbitmq.internal.Exceptions;
import io.eventbus.rabbitmq.internal.FrameSizes;
import io.eventbus.spi.SafeText;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender thread's loop: while the channel is usable and the outstanding window has room, takes
 * batches of up to {@value #MAX_BATCH} events from the buffer and publishes each with {@code
 * mandatory}, recording it under its sequence number first.
 *
 * <p>This is the channel-ownership rule: amqp-client channels must not publish from two threads,
 * and reading the sequence number and publishing must be one step. One thread makes both true
 * without a lock on the hot path, and lets a batch go out in one burst. When the channel dies, the
 * events sent on it and not confirmed go back to the front of the buffer, in order, and are sent
 * again on the next channel.
 *
 * <h2>Refusals</h2>
 *
 * When the broker closes the channel because of something sent on it ({@link Refusal}: 404, 406,
 * 403…), the culprit is one of the events outstanding on it, but not necessarily the first. Those
 * events go back to the front of the buffer as suspects and are sent again <em>one at a time</em>,
 * each waiting for its confirm; a suspect refused again while alone on its channel is the culprit
 * and fails with {@link PublishRefusedException} (so no event is sent more than twice because of
 * another's refusal, and a refused one at most twice in all); the others go through. Channels are
 * re-opened after a refusal only after a back-off (50 ms doubling to 2 s), so a broker that refuses
 * everything is not hammered. The refusal is also handed to the publisher's listener, which logs it
 * and re-declares the topology when that can fix it.
 *
 * <h2>Failures of one event</h2>
 *
 * An event whose headers do not fit the connection's frame fails with {@link
 * EventTooLargeException} before anything is sent. Should amqp-client still throw for one event,
 * that event fails, and the channel is discarded (the client counted a sequence number it did not
 * send, so the channel's confirms would no longer match); the rest are sent again on a new one. A
 * batch taken from the buffer is never dropped: whatever is not sent goes back to its front.
 */
final class Sender implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Sender.class);

  /** The most events taken from the buffer at once. */
  static final int MAX_BATCH = 256;

  static final Duration FIRST_REFUSAL_BACKOFF = Duration.ofMillis(50);
  static final Duration MAX_REFUSAL_BACKOFF = Duration.ofSeconds(2);

  private final PublishBuffer buffer;
  private final OutstandingConfirms outstanding;
  private final int window;
  private final long idleWaitNanos;
  private final IntSupplier room;
  private final IntSupplier soloRoom;
  private final Ticker ticker;
  private final Executor completions;
  private final Consumer<Refusal> onRefusal;
  private final AtomicLong resent = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean blocked;
  private @Nullable PublishingChannel channel;
  // Sender thread only:
  private int solo; // suspects still to be sent one at a time
  private boolean soloInFlight; // the only outstanding event is a suspect sent alone
  private long reopenAt;
  private long refusalBackoffNanos;
  private long lastRefusalAt;

  /**
   * @param window the most outstanding events
   * @param idleWait how long the loop waits for anything to do before it looks at the channel again
   * @param ticker reads time for the back-off after a refusal
   * @param completions fails the futures of events that cannot be sent
   * @param onRefusal told about every refusal, on the sender thread, before anything is sent again
   */
  Sender(
      PublishBuffer buffer,
      OutstandingConfirms outstanding,
      int window,
      Duration idleWait,
      Ticker ticker,
      Executor completions,
      Consumer<Refusal> onRefusal) {
    this.buffer = buffer;
    this.outstanding = outstanding;
    this.window = window;
    this.idleWaitNanos = idleWait.toNanos();
    this.room = () -> window - outstanding.size();
    this.soloRoom = () -> outstanding.size() == 0 ? 1 : 0;
    this.ticker = ticker;
    this.completions = completions;
    this.onRefusal = onRefusal;
  }

  /** Gives the sender its channel; called once, before it runs. */
  void channel(PublishingChannel channel) {
    this.channel = channel;
  }

  /** Whether the broker blocks the connection (a resource alarm): nothing is sent meanwhile. */
  boolean blocked() {
    return blocked;
  }

  void blocked(boolean blocked) {
    this.blocked = blocked;
    buffer.wake();
  }

  /** Events sent again after their channel died, since the start. */
  long resent() {
    return resent.get();
  }

  /** Events failed because the broker refused them, since the start. */
  long refused() {
    return refused.get();
  }

  @Override
  public void run() {
    PublishingChannel publishing = channel;
    if (publishing == null) {
      throw new IllegalStateException("The sender has no channel");
    }
    try {
      while (true) {
        Channel current = ticker.nanos() - reopenAt < 0 ? null : publishing.usable();
        boolean alone = solo > 0;
        List<Publish> batch =
            current == null
                ? buffer.awaitBatch(0, () -> 0, () -> false, idleWaitNanos)
                : buffer.awaitBatch(
                    alone ? 1 : MAX_BATCH,
                    alone ? soloRoom : room,
                    () -> current.isOpen() && !blocked,
                    idleWaitNanos);
        if (batch == null) {
          return;
        }
        if (current != null && !batch.isEmpty()) {
          send(current, publishing, batch, alone);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(
      Channel current, PublishingChannel publishing, List<Publish> batch, boolean alone) {
    // Events before `next` are sent, failed or skipped; whatever is left when this returns or
    // throws goes back to the front of the buffer.
    int next = 0;
    try {
      for (; next < batch.size(); next++) {
        Publish publish = batch.get(next);
        if (publish.future.isDone()) {
          continue;
        }
        int frameMax = publishing.frameMax();
        // Checked when offered; again only if this channel's connection negotiated another size.
        if (frameMax != publish.fitsFrameMax && !FrameSizes.fits(publish.properties, frameMax)) {
          publish.fail(
              completions,
              EventTooLargeException.headers(
                  publish.eventId,
                  publish.eventType,
                  FrameSizes.contentHeaderFrame(publish.properties),
                  frameMax));
          continue;
        }
        long sequence = current.getNextPublishSeqNo();
        publish.returnedWith = null;
        outstanding.add(sequence, publish);
        publish.sends++;
        if (alone) {
          solo--;
          soloInFlight = true;
        }
        try {
          current.basicPublish(
              publish.exchange, publish.routingKey, true, publish.properties, publish.body);
        } catch (IOException | AlreadyClosedException e) {
          // The channel is going away: this event stays outstanding and is re-sent with the rest
          // once a new channel is open; the remainder of the batch goes back to the buffer first.
          log.debug("Publishing channel failed: {}", Exceptions.describe(e));
          next++;
          return;
        } catch (RuntimeException | Error e) {
          next++;
          failUnsent(publishing, publish, sequence, e);
          if (e instanceof Error error) {
            throw error;
          }
          return;
        }
      }
    } finally {
      if (next < batch.size()) {
        buffer.requeueFront(batch.subList(next, batch.size()));
      }
    }
  }

  /**
   * amqp-client threw for {@code publish} after counting its sequence number: fails it and discards
   * the channel, whose confirms would no longer match.
   */
  private void failUnsent(
      PublishingChannel publishing, Publish publish, long sequence, Throwable e) {
    outstanding.remove(sequence, false);
    soloInFlight = false;
    log.warn(
        "Event {} ({}) could not be sent: {}; discarding the publishing channel",
        SafeText.of(publish.eventId),
        SafeText.of(publish.eventType),
        SafeText.message(e));
    publish.fail(
        completions,
        PublishNotConfirmedException.failed(
            publish.eventId,
            publish.eventType,
            "the client could not send it: " + SafeText.message(e),
            e));
    publishing.discard();
  }

  /**
   * The channel died: moves every unconfirmed event of it to the front of the buffer, in order, or,
   * if the broker refused something sent on it, handles the refusal (see the class description).
   */
  void channelLost(@Nullable ShutdownSignalException cause) {
    List<Publish> unconfirmed = outstanding.removeAll();
    boolean wasAlone = soloInFlight;
    soloInFlight = false;
    Refusal refusal = Refusal.of(cause);
    if (refusal == null) {
      if (!unconfirmed.isEmpty()) {
        log.info("Re-sending {} unconfirmed events after a lost channel", unconfirmed.size());
        resent.addAndGet(buffer.requeueFront(unconfirmed));
      }
      return;
    }
    backOff();
    onRefusal.accept(refusal);
    if (wasAlone && unconfirmed.size() == 1) {
      Publish culprit = unconfirmed.get(0);
      refused.incrementAndGet();
      culprit.fail(
          completions,
          PublishRefusedException.refused(
              culprit.eventId,
              culprit.eventType,
              refusal.replyCode(),
              refusal.replyText(),
              culprit.sends));
      return;
    }
    if (!unconfirmed.isEmpty()) {
      solo = Math.max(solo, unconfirmed.size());
      resent.addAndGet(buffer.requeueFront(unconfirmed));
    }
  }

  private void backOff() {
    long now = ticker.nanos();
    if (refusalBackoffNanos == 0 || now - lastRefusalAt > Duration.ofSeconds(10).toNanos()) {
      refusalBackoffNanos = FIRST_REFUSAL_BACKOFF.toNanos();
    } else {
      refusalBackoffNanos = Math.min(2 * refusalBackoffNanos, MAX_REFUSAL_BACKOFF.toNanos());
    }
    lastRefusalAt = now;
    reopenAt = now + refusalBackoffNanos;
  }
}
