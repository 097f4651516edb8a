package io.eventbus.internal;

import io.eventbus.Health;
import io.eventbus.spi.TransportSubscription;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One subscription with both event handlers and responders: the transport's event subscription and
 * its responder subscription, closed together (responders first, events second), reported as one
 * component with the worse of the two statuses. Pausing (the event pipeline's circuit) pauses the
 * event subscription only.
 */
final class Both implements TransportSubscription {
  private final TransportSubscription events;
  private final TransportSubscription requests;

  private Both(TransportSubscription events, TransportSubscription requests) {
    this.events = events;
    this.requests = requests;
  }

  static TransportSubscription of(TransportSubscription events, TransportSubscription requests) {
    return new Both(events, requests);
  }

  @Override
  public Health.Component health() {
    Health.Component first = events.health();
    Health.Component second = requests.health();
    Map<String, Object> details = new LinkedHashMap<>(first.details());
    second.details().forEach((key, value) -> details.put("requests." + key, value));
    String detail =
        second.detail().isEmpty()
            ? first.detail()
            : first.detail().isEmpty()
                ? "requests: " + second.detail()
                : first.detail() + "; requests: " + second.detail();
    return new Health.Component(
        first.name(), first.status().worse(second.status()), detail, details);
  }

  /** Pauses the event subscription: a circuit governs event handlers, not responders. */
  @Override
  public boolean pause() {
    return events.pause();
  }

  @Override
  public void resume() {
    events.resume();
  }

  @Override
  public void close() {
    try {
      requests.close();
    } finally {
      events.close();
    }
  }
}
