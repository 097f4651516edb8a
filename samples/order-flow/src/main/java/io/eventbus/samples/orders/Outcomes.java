package io.eventbus.samples.orders;

import io.eventbus.samples.orders.ordering.OrderService;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What happened to each order of a run, read from the services' state, and whether that is what
 * should have happened: a normal order is placed and paid, dispatched, mailed about twice
 * (confirmation and tracking), awarded points, its payment captured by billing (the payment
 * provider's outage notwithstanding) and counted three times; the poison order is placed and paid,
 * refused by shipping and parked in its dead-letter queue, never dispatched, mailed about once,
 * awarded points, its payment captured and counted twice.
 */
final class Outcomes {
  private Outcomes() {}

  /**
   * One order's fate.
   *
   * @param orderId the order
   * @param poison whether it is the run's broken order
   * @param sent both its events were sent: confirmed by the broker, or stored in the outbox
   * @param shipping {@code dispatched}, {@code parked}, {@code refused} (not parked yet), or {@code
   *     waiting}
   * @param mails what was mailed for it
   * @param points the points awarded, if any
   * @param captured whether billing captured its payment
   * @param analytics how many of its event types analytics counted
   */
  record OrderOutcome(
      String orderId,
      boolean poison,
      boolean sent,
      String shipping,
      List<String> mails,
      OptionalLong points,
      boolean captured,
      int analytics) {

    boolean asExpected() {
      Set<String> mailed = Set.copyOf(mails);
      if (poison) {
        return sent
            && shipping.equals("parked")
            && mailed.equals(Set.of("confirmation"))
            && points.isPresent()
            && captured
            && analytics == 2;
      }
      return sent
          && shipping.equals("dispatched")
          && mailed.equals(Set.of("confirmation", "tracking"))
          && points.isPresent()
          && captured
          && analytics == 3;
    }

    String line() {
      return String.format(
          "%-10s %-11s %-10s mails %-22s points %-4s %-8s analytics %d/%d  %s",
          orderId,
          sent ? "placed+paid" : "unsent",
          shipping,
          mails.isEmpty() ? "-" : String.join(",", mails),
          points.isPresent() ? Long.toString(points.getAsLong()) : "-",
          captured ? "captured" : "uncaptured",
          analytics,
          poison ? 2 : 3,
          asExpected()
              ? (poison ? "ok (poison order, parked as expected)" : "ok")
              : "NOT as expected");
    }
  }

  /**
   * The outcome of every order {@code services} placed, with {@code parked} telling which orders
   * are in shipping's dead-letter queue. Needs every service ({@link Role#ALL}).
   */
  static List<OrderOutcome> of(Services services, Predicate<String> parked) {
    OrderService orders = services.orders;
    List<OrderOutcome> outcomes = new ArrayList<>();
    for (String orderId : orders.attempted()) {
      String shipping;
      if (services.shipping.dispatched(orderId)) {
        shipping = "dispatched";
      } else if (services.shipping.rejected(orderId)) {
        shipping = parked.test(orderId) ? "parked" : "refused";
      } else {
        shipping = "waiting";
      }
      outcomes.add(
          new OrderOutcome(
              orderId,
              orders.isPoison(orderId),
              orders.sent(orderId),
              shipping,
              services.notification.sent(orderId),
              services.points.awarded(orderId),
              services.billing.captured(orderId),
              services.analytics.eventsSeen(orderId)));
    }
    return outcomes;
  }
}
