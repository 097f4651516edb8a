package io.eventbus.samples.orders;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line: {@code --uri}, {@code --orders}, {@code --rate}, {@code --duration}, {@code
 * --role}, {@code --namespace}, {@code --payment-outage}, {@code --plain}.
 *
 * @param uri the broker's AMQP URI
 * @param orders how many orders to place
 * @param rate orders per second
 * @param duration how long to place orders (role {@code order} and {@code all}) or to run (the
 *     other roles); null: until {@code orders} are placed, or until Ctrl+C
 * @param role which services this process runs
 * @param namespace the exchange's name and the prefix of every queue, so that runs can be kept
 *     apart
 * @param paymentOutage how long the payment provider is down, from the capture of a quarter of the
 *     orders on; zero for never
 * @param plain print the live view as plain lines even on a terminal
 * @param jdbc the PostgreSQL for the outbox and the inbox, or {@code none}; when nothing answers
 *     there, orders are published directly and shipping has no inbox
 * @param uriGiven whether {@code --uri} was on the command line: then a broker that does not answer
 *     there is an error, never a reason to run in memory
 */
record FlowOptions(
    String uri,
    int orders,
    double rate,
    Duration duration,
    Role role,
    String namespace,
    Duration paymentOutage,
    boolean plain,
    String jdbc,
    boolean uriGiven) {
  static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672";
  static final int DEFAULT_ORDERS = 40;
  static final double DEFAULT_RATE = 4;
  static final Duration DEFAULT_PAYMENT_OUTAGE = Duration.ofSeconds(3);
  static final String DEFAULT_JDBC = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  static final String USAGE =
      """
      Usage: order-flow [--uri amqp://user:pass@host:5672] [--orders N] [--rate R] [--duration D]
                        [--role order|shipping|notification|points|billing|analytics|all]
                        [--namespace NAME] [--payment-outage D] [--plain] [--jdbc URL|none]

        --uri        the broker (default amqp://guest:guest@127.0.0.1:5672); when nothing answers
                     at the default, the flow runs in memory instead (role all only); when
                     nothing answers at a --uri given, it stops with an error (exit 1)
        --orders     orders to place (default 40; no limit when only --duration is given)
        --rate       orders per second (default 4)
        --duration   how long to place orders, or for a service role how long to run
                     (e.g. 30s, 2m; default: until the orders are placed, or until Ctrl+C)
        --role       the services this process runs (default all); start the service roles
                     before the order role so that their queues exist
        --namespace  the exchange and queue-name prefix (default order-flow)
        --payment-outage  how long the payment provider is down, from the capture of a
                     quarter of the orders on (default 3s; 0 for no outage)
        --plain      print the live view as plain lines even on a terminal
        --jdbc       PostgreSQL for the outbox and inbox (default
                     jdbc:postgresql://127.0.0.1:5432/test?user=postgres); when nothing
                     answers there, or with none, orders publish directly and shipping has no
                     inbox
      """;

  FlowOptions {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(paymentOutage, "paymentOutage");
    if (paymentOutage.isNegative()) {
      throw new IllegalArgumentException("--payment-outage must not be negative");
    }
    Objects.requireNonNull(jdbc, "jdbc");
    if (orders < 0) {
      throw new IllegalArgumentException("--orders must not be negative, was " + orders);
    }
    if (!(rate > 0 && rate <= 10_000)) {
      throw new IllegalArgumentException("--rate must be above 0 and at most 10000, was " + rate);
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("--duration must be positive, was " + duration);
    }
    if (!namespace.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new IllegalArgumentException(
          "--namespace must be 1 to 100 letters, digits, '.', '-' or '_', was '" + namespace + "'");
    }
  }

  /** The defaults: 40 orders at 4 per second on the local broker, every service. */
  static FlowOptions defaults() {
    return new FlowOptions(
        DEFAULT_URI,
        DEFAULT_ORDERS,
        DEFAULT_RATE,
        null,
        Role.ALL,
        "order-flow",
        DEFAULT_PAYMENT_OUTAGE,
        false,
        DEFAULT_JDBC,
        false);
  }

  /**
   * Reads {@code args}.
   *
   * @throws IllegalArgumentException naming the bad option
   */
  static FlowOptions parse(String... args) {
    String uri = DEFAULT_URI;
    Integer orders = null;
    double rate = DEFAULT_RATE;
    Duration duration = null;
    Role role = Role.ALL;
    String namespace = "order-flow";
    Duration paymentOutage = DEFAULT_PAYMENT_OUTAGE;
    boolean plain = false;
    String jdbc = DEFAULT_JDBC;
    boolean uriGiven = false;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--plain")) {
        plain = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(
            name.startsWith("--") ? name + " needs a value" : "Unknown argument '" + name + "'");
      }
      String value = args[++i];
      switch (name) {
        case "--uri" -> {
          uri = checkedUri(value);
          uriGiven = true;
        }
        case "--orders" -> orders = number(name, value);
        case "--rate" -> rate = decimal(name, value);
        case "--duration" -> duration = duration(name, value);
        case "--role" -> role = Role.parse(value);
        case "--namespace" -> namespace = value;
        case "--payment-outage" ->
            paymentOutage = value.trim().equals("0") ? Duration.ZERO : duration(name, value);
        case "--jdbc" -> jdbc = value;
        default -> throw new IllegalArgumentException("Unknown option '" + name + "'");
      }
    }
    int count = orders != null ? orders : duration != null ? Integer.MAX_VALUE : DEFAULT_ORDERS;
    return new FlowOptions(
        uri, count, rate, duration, role, namespace, paymentOutage, plain, jdbc, uriGiven);
  }

  /** The broker's host and port, from the URI (5672, or 5671 for amqps). */
  String host() {
    String host = URI.create(uri).getHost();
    return host == null ? "localhost" : host;
  }

  int port() {
    URI parsed = URI.create(uri);
    return parsed.getPort() != -1
        ? parsed.getPort()
        : "amqps".equals(parsed.getScheme()) ? 5671 : 5672;
  }

  /** {@code uri} without its password, fit for output. */
  static String redacted(String uri) {
    return uri.replaceFirst("//([^:/@]*):[^@/]*@", "//$1@");
  }

  private static String checkedUri(String value) {
    try {
      URI parsed = new URI(value);
      if (!"amqp".equals(parsed.getScheme()) && !"amqps".equals(parsed.getScheme())) {
        throw new IllegalArgumentException("--uri must be an amqp:// or amqps:// URI");
      }
      return value;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--uri is not a valid URI: " + redacted(value));
    }
  }

  private static int number(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
    }
  }

  private static double decimal(String name, String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, was '" + value + "'");
    }
  }

  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

  /**
   * {@code 500ms}, {@code 20s}, {@code 2m}, {@code 1h}, {@code 20} (seconds) or ISO {@code PT20S}.
   */
  static Duration duration(String value) {
    return duration("--duration", value);
  }

  /** {@link #duration(String)} for the option {@code name}. */
  static Duration duration(String name, String value) {
    Matcher matcher = SHORT_DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      String unit = matcher.group(2) == null ? "s" : matcher.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofSeconds(amount);
      };
    }
    try {
      return Duration.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          name + " must look like 500ms, 20s, 2m or PT20S, was '" + value + "'");
    }
  }
}
