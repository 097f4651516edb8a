package io.eventbus.samples.orders;

import io.eventbus.Health;
import io.eventbus.UnroutableEventException;
import io.eventbus.samples.orders.FlowEnvironment.Parked;
import io.eventbus.samples.orders.Outcomes.OrderOutcome;
import io.eventbus.samples.orders.billing.OutagePaymentProvider;
import io.eventbus.samples.orders.monitor.ServiceMetrics;
import io.eventbus.samples.orders.ordering.OrderService.Delivery;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** The lines printed at the end of a run: per service, the dead letters, and per order. */
final class Summary {
  private static final int ORDERS_LISTED = 20;

  private final PrintStream out;
  private final Duration took;

  Summary(PrintStream out, Duration took) {
    this.out = out;
    this.took = took;
  }

  /**
   * Sums up a run of every service and returns the orders' outcomes, read once more now, with the
   * dead-letter queue itself deciding which orders are parked. {@code timedOut}: how long the run
   * waited in vain for the flow to settle, or null.
   */
  List<OrderOutcome> ofAll(
      FlowEnvironment environment,
      Services services,
      OutagePaymentProvider payments,
      ToLongFunction<String> deadLettersDuringRun,
      @Nullable Duration timedOut) {
    Set<String> runOrders = Set.copyOf(services.orders.attempted());
    String shippingQueue = services.queue("shipping");
    List<Parked> parked =
        environment.deadLetters(shippingQueue, letter -> runOrders.contains(letter.orderId()));
    Set<String> parkedOrders = parked.stream().map(Parked::orderId).collect(Collectors.toSet());
    List<OrderOutcome> outcomes = Outcomes.of(services, parkedOrders::contains);
    long asExpected = outcomes.stream().filter(OrderOutcome::asExpected).count();
    Map<String, ServiceMetrics.Snapshot> figures = new HashMap<>();
    services.metrics().forEach(measured -> figures.put(measured.service(), measured.snapshot()));
    ServiceMetrics.Snapshot order = figures.get("order");
    ServiceMetrics.Snapshot notification = figures.get("notification");

    out.printf(
        Locale.ROOT,
        "summary: %d orders in %s on %s%n",
        outcomes.size(),
        OrderFlow.seconds(took),
        environment.description());
    Delivery delivery = services.orders.delivery();
    out.printf(
        Locale.ROOT,
        "  order         %d placed and paid: %d events %s, %s p50 %.1f ms, p99 %.1f ms%s%n",
        outcomes.stream().filter(OrderOutcome::sent).count(),
        order.completed(),
        delivery.outcome(),
        delivery.latency(),
        order.p50Millis(),
        order.p99Millis(),
        relayed(services));
    out.printf(
        Locale.ROOT,
        "  shipping      %d dispatched, %d refused and parked; %d payments arrived before their"
            + " order (partitioned by order id: expect 0)%n",
        count(outcomes, "dispatched"),
        count(outcomes, "parked"),
        services.shipping.paidBeforePlaced());
    out.printf(
        Locale.ROOT,
        "  notification  %d mails sent; %d failed attempts, %d retries (%d after a redelivery"
            + " delay), %d parked%n",
        outcomes.stream().mapToLong(outcome -> outcome.mails().size()).sum(),
        notification.failures(),
        notification.retries(),
        notification.redelivered(),
        deadLettersDuringRun.applyAsLong("notification"));
    out.printf(
        Locale.ROOT,
        "  points        %d orders awarded points%n",
        outcomes.stream().filter(outcome -> outcome.points().isPresent()).count());
    Health.@Nullable Component billing = services.health("billing");
    out.printf(
        Locale.ROOT,
        "  billing       %d payments captured; %s: %d calls refused, circuit opened %s time(s),"
            + " %s deliveries given back, %d parked%n",
        outcomes.stream().filter(OrderOutcome::captured).count(),
        payments.downSince() == null
            ? "the payment provider never went down"
            : "the payment provider was down for " + OrderFlow.seconds(payments.outage()),
        payments.refused(),
        billing == null ? "-" : billing.details().getOrDefault("circuitOpenings", 0),
        billing == null ? "-" : billing.details().getOrDefault("deferredDeliveries", 0),
        deadLettersDuringRun.applyAsLong("billing"));
    out.printf(
        Locale.ROOT,
        "  analytics     %d events counted%n",
        outcomes.stream().mapToLong(OrderOutcome::analytics).sum());
    out.printf(Locale.ROOT, "  dead letters  %d parked by this run:%n", parked.size());
    for (Parked letter : parked) {
      out.printf(
          Locale.ROOT,
          "    %s.dlq  %s  %s  %s after %d attempt(s): %s: %s%n",
          shippingQueue,
          letter.orderId(),
          letter.eventType(),
          letter.reason(),
          letter.attempts(),
          letter.errorType(),
          letter.errorMessage());
    }
    List<OrderOutcome> listed =
        outcomes.size() <= ORDERS_LISTED
            ? outcomes
            : outcomes.stream()
                .filter(outcome -> !outcome.asExpected())
                .limit(ORDERS_LISTED)
                .toList();
    if (!listed.isEmpty()) {
      out.println(outcomes.size() <= ORDERS_LISTED ? "  per order:" : "  orders not as expected:");
      listed.forEach(outcome -> out.println("    " + outcome.line()));
    }
    boolean ok = asExpected == outcomes.size() && !outcomes.isEmpty();
    out.println(
        ok
            ? "result: all " + outcomes.size() + " orders reached their expected state"
            : "result: "
                + (outcomes.size() - asExpected)
                + " of "
                + outcomes.size()
                + " orders did not reach their expected state"
                + (timedOut == null
                    ? ""
                    : " within " + OrderFlow.seconds(timedOut) + " after the last order"));
    return outcomes;
  }

  /** Sums up a run of the order service alone; returns the exit code. */
  int ofOrders(Services services) {
    ServiceMetrics.Snapshot order = services.metrics().get(0).snapshot();
    int attempted = services.orders.attempted().size();
    Map<String, Throwable> failed = services.orders.failed();
    Delivery delivery = services.orders.delivery();
    out.printf(
        Locale.ROOT,
        "summary: %d orders placed and paid in %s, %d failed; %d events %s, %s p50 %.1f ms, p99"
            + " %.1f ms%s%n",
        attempted - failed.size(),
        OrderFlow.seconds(took),
        failed.size(),
        order.completed(),
        delivery.outcome(),
        delivery.latency(),
        order.p50Millis(),
        order.p99Millis(),
        relayed(services));
    failed.entrySet().stream()
        .limit(5)
        .forEach(
            entry -> out.println("  " + entry.getKey() + ": " + entry.getValue().getMessage()));
    if (failed.values().stream().anyMatch(UnroutableEventException.class::isInstance)) {
      out.println(
          "  (nobody subscribes yet: start the service roles first, so that their queues exist)");
    }
    return failed.isEmpty() ? 0 : 1;
  }

  /**
   * With the outbox, how many stored events the relay of this process has sent and had confirmed so
   * far (the rest wait in the outbox table for a relay); nothing without it.
   */
  private static String relayed(Services services) {
    return services.outboxEvents == null
        ? ""
        : "; " + services.outboxEvents.relayed() + " relayed and confirmed";
  }

  private static long count(List<OrderOutcome> outcomes, String shipping) {
    return outcomes.stream().filter(outcome -> outcome.shipping().equals(shipping)).count();
  }
}
