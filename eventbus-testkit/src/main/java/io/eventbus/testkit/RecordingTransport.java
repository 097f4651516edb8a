package io.eventbus.testkit;

import io.eventbus.codec.WireMessage;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.ForwardingTransport;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportSubscription;
import io.eventbus.testkit.RecordedDelivery.Outcome;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** The decorator behind {@link EventRecorder#record(Transport)}. */
final class RecordingTransport extends ForwardingTransport {
  private final EventRecorder recorder;

  RecordingTransport(Transport delegate, EventRecorder recorder) {
    super(delegate);
    this.recorder = recorder;
  }

  @Override
  public CompletionStage<Void> send(OutboundMessage message) {
    recorder.ledger().recordPublished(message.eventId(), message.eventType());
    return delegate()
        .send(message)
        .whenComplete(
            (ignored, failure) ->
                recorder.recordPublish(
                    new RecordedPublish(
                        message.eventId(),
                        message.eventType(),
                        message.message(),
                        unwrap(failure),
                        recorder.codec())));
  }

  @Override
  public TransportSubscription subscribe(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    recorder.ledger().recordSubscribed(spec.name(), spec.eventTypes());
    return delegate()
        .subscribe(
            spec,
            inbound -> {
              RecordingInbound recording = new RecordingInbound(inbound, spec.name());
              try {
                receiver.accept(recording);
              } finally {
                // The transport requeues what the receiver left unsettled.
                recording.record(Outcome.REQUEUED, null);
              }
            });
  }

  @Override
  public String toString() {
    return "Recording[" + delegate() + "]";
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private final class RecordingInbound implements InboundMessage {
    private final InboundMessage delegate;
    private final String subscription;
    private final AtomicBoolean settled = new AtomicBoolean();

    RecordingInbound(InboundMessage delegate, String subscription) {
      this.delegate = delegate;
      this.subscription = subscription;
    }

    @Override
    public WireMessage message() {
      return delegate.message();
    }

    @Override
    public boolean redelivered() {
      return delegate.redelivered();
    }

    @Override
    public void ack() {
      delegate.ack();
      record(Outcome.HANDLED, null);
    }

    @Override
    public void requeue() {
      delegate.requeue();
      record(Outcome.REQUEUED, null);
    }

    @Override
    public void redeliverAfter(Duration delay, Map<String, String> headers) {
      delegate.redeliverAfter(delay, headers);
      record(Outcome.REDELIVERY_SCHEDULED, null);
    }

    @Override
    public void defer(Map<String, String> headers) {
      delegate.defer(headers);
      record(Outcome.DEFERRED, null);
    }

    @Override
    public int deliveryCount() {
      return delegate.deliveryCount();
    }

    @Override
    public void deadLetter(DeadLetterReason reason) {
      delegate.deadLetter(reason);
      record(Outcome.DEAD_LETTERED, reason);
    }

    void record(Outcome outcome, @Nullable DeadLetterReason reason) {
      if (settled.compareAndSet(false, true)) {
        recorder.recordDelivery(
            new RecordedDelivery(
                subscription, message(), redelivered(), outcome, reason, recorder.codec()));
      }
    }
  }
}
