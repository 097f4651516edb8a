package io.eventbus.samples.orders;

import io.eventbus.EventBusException;
import io.eventbus.Health;
import io.eventbus.samples.orders.Outcomes.OrderOutcome;
import io.eventbus.samples.orders.billing.OutagePaymentProvider;
import io.eventbus.samples.orders.monitor.Dashboard;
import io.eventbus.samples.orders.monitor.LiveView;
import io.eventbus.samples.orders.monitor.ServiceMetrics;
import io.eventbus.samples.orders.notification.FlakyMailer;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The e-commerce order flow: an order service places orders and takes payments; shipping,
 * notification, points and analytics each consume their own copy of the events from their own
 * queue. Runs against RabbitMQ when one answers at {@code --uri}, in memory otherwise; shows a live
 * view while it runs and a summary of every order at the end. See samples/order-flow/README.md.
 */
public final class OrderFlow {
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration REFRESH = Duration.ofSeconds(1);

  private final FlowOptions options;
  private final PrintStream out;
  private final boolean ansi;
  private final Clock clock;
  private final Dashboard dashboard = new Dashboard();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Map<String, Long> deadLettersBefore = new HashMap<>();
  private volatile List<OrderOutcome> outcomes = List.of();
  private final OutagePaymentProvider payments;
  private @Nullable OrdersDatabase database;

  OrderFlow(FlowOptions options, PrintStream out, boolean ansi, Clock clock) {
    this.options = options;
    this.out = out;
    this.ansi = ansi;
    this.clock = clock;
    long expected =
        options.orders() != Integer.MAX_VALUE
            ? options.orders()
            : (long) Math.min(1_000_000, options.rate() * 20);
    this.payments =
        new OutagePaymentProvider(Math.max(1, expected / 4), options.paymentOutage(), clock);
  }

  public static void main(String[] args) {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.print(FlowOptions.USAGE);
      return;
    }
    FlowOptions options;
    try {
      options = FlowOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("order-flow: " + e.getMessage());
      System.err.print(FlowOptions.USAGE);
      System.exit(2);
      return;
    }
    // A live view redrawn in place needs a terminal; in a pipe or a CI log it prints plain lines.
    boolean ansi =
        !options.plain() && System.console() != null && !"dumb".equals(System.getenv("TERM"));
    OrderFlow flow = new OrderFlow(options, System.out, ansi, Clock.systemUTC());
    CountDownLatch finished = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  flow.stop.countDown(); // Ctrl+C: wind down, print the summary, close cleanly
                  awaitQuietly(finished, Duration.ofSeconds(15));
                },
                "order-flow-shutdown"));
    int code = flow.run();
    finished.countDown();
    System.exit(code);
  }

  /** Runs the flow as the options say; returns the exit code (0: every order as expected). */
  int run() {
    FlowEnvironment environment = environment();
    if (environment == null) {
      return 1;
    }
    try (environment) {
      database = database();
      return switch (options.role()) {
        case ALL, ORDER -> placeOrders(environment);
        default -> serve(environment);
      };
    } catch (EventBusException e) {
      out.println("order-flow: " + reason(e));
      return 1;
    }
  }

  /**
   * PostgreSQL for the outbox and the inbox if it answers at {@code --jdbc}, else null (the flow
   * then publishes directly). The second line says which.
   */
  private @Nullable OrdersDatabase database() {
    try {
      OrdersDatabase found = OrdersDatabase.open(options.jdbc(), options.namespace());
      if (found != null) {
        out.println(
            "            OrderPlaced and PaymentCompleted go through the transactional outbox and"
                + " shipping through the inbox, on "
                + found.description());
        return found;
      }
      if (!options.jdbc().equals("none")) {
        out.println(
            "            no PostgreSQL answers for --jdbc, so orders are published directly and"
                + " shipping has no inbox");
      }
    } catch (java.sql.SQLException | RuntimeException e) {
      out.println(
          "            PostgreSQL answers but refused ("
              + e.getMessage()
              + "), so orders are published directly and shipping has no inbox");
    }
    return null;
  }

  /** What happened to every order of the last {@link #run()} in role {@code all}. */
  List<OrderOutcome> outcomes() {
    return outcomes;
  }

  /**
   * The broker if anything answers at the URI's host and port within a second, else (role {@code
   * all} only, and only when no {@code --uri} was given) memory. The first line says which.
   */
  private FlowEnvironment environment() {
    String where = options.host() + ":" + options.port();
    if (BrokerProbe.answers(options.host(), options.port(), Duration.ofSeconds(1))) {
      try {
        FlowEnvironment broker = new RabbitEnvironment(options.uri(), options.namespace());
        out.println("order-flow: " + plan() + " on " + broker.description());
        return broker;
      } catch (EventBusException e) {
        out.println("order-flow: a broker answers at " + where + " but: " + reason(e));
        out.println(
            "            (still starting, or overloaded? sudo rabbitmqctl status; wrong account?"
                + " --uri amqp://user:pass@host:port)");
        return null;
      }
    }
    if (options.role() != Role.ALL) {
      out.println(
          "order-flow: no broker answers at "
              + where
              + "; --role "
              + options.role().service()
              + " needs one. Start it with: sudo rabbitmq-server -detached");
      return null;
    }
    if (options.uriGiven()) {
      out.println(
          "order-flow: no broker answers at "
              + where
              + " (the --uri given: "
              + FlowOptions.redacted(options.uri())
              + "); stopping rather than running in memory. Start the broker (sudo rabbitmq-server"
              + " -detached), fix --uri, or leave --uri out for an in-memory run.");
      return null;
    }
    out.println(
        "order-flow: no broker answers at "
            + where
            + ", so this run is IN MEMORY (eventbus-inmemory)."
            + " For RabbitMQ: sudo rabbitmq-server -detached");
    out.println(
        "            (not installed? sudo apt-get install rabbitmq-server) - "
            + plan()
            + " in memory");
    return new InMemoryEnvironment();
  }

  private String plan() {
    String during = options.duration() == null ? "" : " for " + seconds(options.duration());
    if (options.role() != Role.ALL && options.role() != Role.ORDER) {
      return "the "
          + options.role().service()
          + " service"
          + (during.isEmpty() ? " until Ctrl+C" : during);
    }
    String count = options.orders() == Integer.MAX_VALUE ? "orders" : options.orders() + " orders";
    return count + " at " + trim(options.rate()) + "/s" + during;
  }

  /** Roles {@code all} and {@code order}: place the orders, show them flow, sum up. */
  private int placeOrders(FlowEnvironment environment) {
    boolean all = options.role() == Role.ALL;
    String runId = Integer.toString(ThreadLocalRandom.current().nextInt(46_656, 1_679_616), 36);
    int poison = Math.max(1, Math.min(3, options.orders()));
    long start = System.nanoTime();
    try (Services services =
        Services.start(
            options.role(),
            environment,
            options.namespace(),
            runId,
            poison,
            FlakyMailer.demo(clock),
            payments,
            clock,
            database)) {
      rememberDeadLetters(environment, services);
      if (all && options.orders() != Integer.MAX_VALUE && options.orders() >= 5) {
        // The demo outage: the inventory service is down for the middle fifth of the orders.
        int down = options.orders() * 2 / 5 + 1;
        int up = options.orders() * 3 / 5 + 1;
        services.orders.beforeEachOrder(
            number -> {
              if (number == down) {
                services.inventory(false);
              } else if (number == up) {
                services.inventory(true);
              }
            });
      }
      List<OrderOutcome> settled;
      Watched watched = watch(environment, services, start);
      try {
        CompletableFuture<Integer> placing =
            services.orders.placeOrders(
                options.orders(),
                options.rate(),
                options.duration() == null ? Duration.ofDays(365) : options.duration());
        while (!placing.isDone() && !await(stop, Duration.ofMillis(100))) {
          // placing orders; the view refreshes itself
        }
        placing.cancel(false);
        settled = all ? settle(environment, services) : List.of();
      } finally {
        watched.close();
      }
      Summary summary = new Summary(out, Duration.ofNanos(System.nanoTime() - start));
      if (!all) {
        return summary.ofOrders(services);
      }
      outcomes =
          summary.ofAll(
              environment,
              services,
              payments,
              service -> deadLettersDuringRun(environment, services, service),
              settled.stream().allMatch(OrderOutcome::asExpected) ? null : SETTLE_TIMEOUT);
      return outcomes.stream().allMatch(OrderOutcome::asExpected) && !outcomes.isEmpty() ? 0 : 1;
    }
  }

  /** Waits until every order reached its expected state, the settle timeout, or Ctrl+C. */
  private List<OrderOutcome> settle(FlowEnvironment environment, Services services) {
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    while (true) {
      List<OrderOutcome> outcomes = Outcomes.of(services, parkedSoFar(environment, services));
      boolean done = outcomes.stream().allMatch(OrderOutcome::asExpected);
      if (done || System.nanoTime() - deadline > 0 || await(stop, Duration.ofMillis(100))) {
        return outcomes;
      }
    }
  }

  /**
   * Roles other than {@code all} and {@code order}: consume until the duration is over or Ctrl+C.
   */
  private int serve(FlowEnvironment environment) {
    try (Services services =
        Services.start(
            options.role(),
            environment,
            options.namespace(),
            "-",
            0,
            FlakyMailer.demo(clock),
            payments,
            clock,
            database)) {
      long start = System.nanoTime();
      rememberDeadLetters(environment, services);
      Watched watched = watch(environment, services, start);
      try {
        await(stop, options.duration() == null ? Duration.ofDays(365) : options.duration());
      } finally {
        watched.close();
      }
      ServiceMetrics.Snapshot figures = services.metrics().get(0).snapshot();
      out.printf(
          Locale.ROOT,
          "summary: %s handled %d events in %s (%d retries, %d redelivered, %d parked during the"
              + " run), latency p50 %.1f ms, p99 %.1f ms%n",
          figures.service(),
          figures.completed(),
          seconds(Duration.ofNanos(System.nanoTime() - start)),
          figures.retries(),
          figures.redelivered(),
          deadLettersDuringRun(environment, services, figures.service()),
          figures.p50Millis(),
          figures.p99Millis());
      return 0;
    }
  }

  /** The live view, with log lines routed around it while it runs. */
  private Watched watch(FlowEnvironment environment, Services services, long start) {
    LiveView view = LiveView.start(out, ansi, REFRESH, () -> lines(environment, services, start));
    PrintStream err = System.err;
    System.setErr(view.guard(err));
    return () -> {
      try {
        view.close();
      } finally {
        System.setErr(err);
      }
    };
  }

  /** Closes the live view. */
  private interface Watched {
    void close();
  }

  private List<String> lines(FlowEnvironment environment, Services services, long start) {
    long now = System.nanoTime();
    StringBuilder title =
        new StringBuilder("order-flow ")
            .append(environment.inMemory() ? "in memory" : "on RabbitMQ")
            .append("  ")
            .append(seconds(Duration.ofNanos(now - start)));
    if (services.orders != null) {
      int placed = services.orders.attempted().size();
      title.append("  orders placed ").append(placed);
      if (options.orders() != Integer.MAX_VALUE) {
        title.append('/').append(options.orders());
      }
      title
          .append(", checks ")
          .append(services.orders.customersChecked())
          .append(" customers, ")
          .append(services.orders.stockReserved())
          .append(" stock, fallbacks ")
          .append(services.orders.fallbacks());
      if (options.role() == Role.ALL) {
        long complete =
            Outcomes.of(services, parkedSoFar(environment, services)).stream()
                .filter(OrderOutcome::asExpected)
                .count();
        title.append(", complete ").append(complete);
      }
    }
    List<Dashboard.Line> rows = new ArrayList<>();
    for (ServiceMetrics measured : services.metrics()) {
      var subscription = services.subscription(measured.service());
      rows.add(
          new Dashboard.Line(
              measured.snapshot(),
              circuit(services.health(measured.service())),
              subscription == null
                  ? OptionalLong.empty()
                  : OptionalLong.of(
                      deadLettersDuringRun(environment, services, measured.service())),
              subscription == null
                  ? OptionalLong.empty()
                  : OptionalLong.of(environment.backlog(subscription))));
    }
    return dashboard.render(title.toString(), rows, now);
  }

  /**
   * The circuit of a consuming service as the live view shows it: {@code closed}, {@code OPEN},
   * {@code half-open}, {@code backoff}, or {@code -} without a circuit breaker.
   */
  static String circuit(Health.@Nullable Component health) {
    if (health == null) {
      return "-";
    }
    if (health.detail().startsWith("backing off")) {
      return "backoff";
    }
    Object state = health.details().get("circuitState");
    if (state == null) {
      return "-";
    }
    return switch (state.toString()) {
      case "OPEN" -> "OPEN";
      case "HALF_OPEN" -> "half-open";
      default -> "closed";
    };
  }

  private void rememberDeadLetters(FlowEnvironment environment, Services services) {
    for (ServiceMetrics measured : services.metrics()) {
      if (services.subscription(measured.service()) != null) {
        String queue = services.queue(measured.service());
        deadLettersBefore.put(queue, environment.deadLetterCount(queue));
      }
    }
  }

  /** Events {@code service} parked since this run started (the queue may hold older ones). */
  private long deadLettersDuringRun(
      FlowEnvironment environment, Services services, String service) {
    String queue = services.queue(service);
    return Math.max(
        0, environment.deadLetterCount(queue) - deadLettersBefore.getOrDefault(queue, 0L));
  }

  /**
   * Cheap stand-in for reading the dead-letter queue while the flow runs: an order shipping refused
   * counts as parked once the queue grew by as many messages as shipping refused orders.
   */
  private Predicate<String> parkedSoFar(FlowEnvironment environment, Services services) {
    long refused = services.orders.attempted().stream().filter(services.shipping::rejected).count();
    boolean allParked = deadLettersDuringRun(environment, services, "shipping") >= refused;
    return orderId -> allParked;
  }

  /** The message, and the root cause's when the message alone says nothing. */
  private static String reason(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(failure.getMessage());
    return root == failure
        ? message
        : message + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
  }

  static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  /** Waits up to {@code timeout}; true if the latch opened (Ctrl+C). */
  private static boolean await(CountDownLatch latch, Duration timeout) {
    try {
      return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
    await(latch, timeout);
  }
}
