package io.eventbus.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.eventbus.EventBus;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.RequestOptions;
import io.eventbus.SubscriptionOptions;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Request-reply round trips, eventbus against a raw amqp-client direct-reply-to RPC in the same JVM
 * run, on a private RabbitMQ node unless {@code --uri} names a broker: round-trip latency at fixed
 * request rates (from each request's <em>intended</em> send time on the fixed schedule, so a stall
 * counts against every request it delays: coordinated-omission-aware, as {@link LatencyBenchmark}
 * is), and the most requests per second a closed loop of {@code --in-flight} outstanding requests
 * gets through; with one responder instance and with two. Clients alternate order between rounds,
 * and every round is printed as it ends.
 *
 * <p>Both sides do the same work per request: the requester encodes a small JSON request, the
 * responder decodes it, encodes a reply and publishes it to {@code reply_to}, the requester decodes
 * the reply. Each responder instance has its own connection with 4 consumers (prefetch 50) on a
 * shared classic auto-delete queue; requests are mandatory, with an {@code expiration}.
 *
 * <pre>
 * benchmarks/bench.sh RequestReplyBenchmark --rates 500,1000 --seconds 20 --responders 1,2
 * </pre>
 */
public final class RequestReplyBenchmark {
  private static final String RAW_EXCHANGE = "eventbus.bench.raw-requests";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final int CONSUMERS = 4;
  private static final int PREFETCH = 50;

  @EventType("bench.rpc.query.v1")
  record Query(long n, String sku) {}

  @EventType("bench.rpc.answer.v1")
  record Answer(long n, boolean ok) {}

  private final BenchBroker broker;
  private final JacksonEventCodec codec = JacksonEventCodec.create();

  RequestReplyBenchmark(BenchBroker broker) {
    this.broker = broker;
  }

  /** One client at one rate (0: the closed-loop maximum) with some responders. */
  record Result(
      String client,
      int responders,
      int rate,
      double seconds,
      long sent,
      long replied,
      long failed,
      Histogram corrected,
      Histogram uncorrected) {

    double micros(double percentile) {
      return corrected.getValueAtPercentile(percentile);
    }

    double perSecond() {
      return replied / seconds;
    }
  }

  public static void main(String[] args) throws Exception {
    PublishBenchmark.Options options = new PublishBenchmark.Options(args);
    int seconds = options.number("--seconds", 20);
    int warmup = options.number("--warmup", 5);
    int maxSeconds = options.number("--max-seconds", 10);
    int inFlight = options.number("--in-flight", 64);
    List<Integer> rates = numbers(options.text("--rates", "500,1000"));
    List<Integer> responders = numbers(options.text("--responders", "1,2"));
    String uri = options.text("--uri", "");
    PrivateRabbitNode node = uri.isEmpty() ? PrivateRabbitNode.start() : null;
    try (BenchBroker broker = new BenchBroker(node == null ? uri : node.uri())) {
      System.out.printf(
          Locale.ROOT,
          "Request-reply on RabbitMQ %s (%s), %d s per round after %d s warm-up%n",
          broker.version(),
          node == null ? "given broker" : "private node " + node.nodeName(),
          seconds,
          warmup);
      List<Result> results =
          new RequestReplyBenchmark(broker)
              .run(rates, responders, seconds, warmup, maxSeconds, inFlight);
      System.out.println();
      System.out.print(section(results, seconds, warmup, maxSeconds, inFlight));
    } finally {
      if (node != null) {
        node.close();
      }
    }
  }

  private static List<Integer> numbers(String csv) {
    return List.of(csv.split(",")).stream().map(String::trim).map(Integer::parseInt).toList();
  }

  List<Result> run(
      List<Integer> rates,
      List<Integer> responderCounts,
      int seconds,
      int warmup,
      int maxSeconds,
      int inFlight)
      throws Exception {
    List<Result> results = new ArrayList<>();
    int round = 0;
    for (int responders : responderCounts) {
      for (int rate : rates) {
        for (String client : order(round++)) {
          results.add(print(fixedRate(client, responders, rate, seconds, warmup)));
        }
      }
      for (String client : order(round++)) {
        results.add(print(closedLoop(client, responders, maxSeconds, inFlight)));
      }
    }
    return results;
  }

  private static List<String> order(int round) {
    return round % 2 == 0 ? List.of(Tables.RAW, "eventbus") : List.of("eventbus", Tables.RAW);
  }

  private static Result print(Result r) {
    System.out.printf(
        Locale.ROOT,
        "  %-8s %d responder(s) %s: %,.0f replies/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms,"
            + " max %.1f ms (%,d sent, %,d failed)%n",
        r.client(),
        r.responders(),
        r.rate() == 0 ? "closed loop" : String.format(Locale.ROOT, "at %,d/s", r.rate()),
        r.perSecond(),
        r.micros(50) / 1000,
        r.micros(95) / 1000,
        r.micros(99) / 1000,
        r.corrected().getMaxValue() / 1000.0,
        r.sent(),
        r.failed());
    return r;
  }

  /** What one round records. */
  private static class Recording {
    final Recorder corrected = new Recorder(3);
    final Recorder uncorrected = new Recorder(3);
    final AtomicLong replied = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    volatile boolean measuring;

    void replied(long intendedNanos, long sentNanos) {
      long now = System.nanoTime();
      if (measuring) {
        corrected.recordValue(Math.max(0, now - intendedNanos) / 1_000);
        uncorrected.recordValue(Math.max(0, now - sentNanos) / 1_000);
        replied.incrementAndGet();
      }
    }

    void failed() {
      if (measuring) {
        failed.incrementAndGet();
      }
    }

    void start() {
      corrected.getIntervalHistogram();
      uncorrected.getIntervalHistogram();
      replied.set(0);
      failed.set(0);
      measuring = true;
    }
  }

  /** A client under test: sends request {@code n}, calling back with success or failure. */
  private interface Client extends AutoCloseable {
    void send(long n, long intendedNanos, Recording recording) throws Exception;

    @Override
    void close() throws Exception;
  }

  private Result fixedRate(String client, int responders, int rate, int seconds, int warmup)
      throws Exception {
    Recording recording = new Recording();
    try (Client c = client(client, responders)) {
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
      long measured = start + TimeUnit.SECONDS.toNanos(warmup);
      long end = measured + TimeUnit.SECONDS.toNanos(seconds);
      AtomicLong sentMeasured = new AtomicLong();
      FixedRate.run(
          start,
          end,
          rate,
          (i, intended) -> {
            if (!recording.measuring && intended >= measured) {
              recording.start();
            }
            if (recording.measuring) {
              sentMeasured.incrementAndGet();
            }
            c.send(i, intended, recording);
          });
      awaitOutstanding(recording, sentMeasured.get());
      recording.measuring = false;
      return result(client, responders, rate, seconds, sentMeasured.get(), recording);
    }
  }

  private Result closedLoop(String client, int responders, int seconds, int inFlight)
      throws Exception {
    Recording recording = new Recording();
    Semaphore window = new Semaphore(inFlight);
    try (Client c = client(client, responders)) {
      long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
      long sent = 0;
      long n = 0;
      Recording windowed = new WindowedRecording(recording, window);
      while (System.nanoTime() < end) {
        window.acquire();
        long now = System.nanoTime();
        if (!recording.measuring && now >= warmEnd) {
          recording.start();
        }
        if (recording.measuring) {
          sent++;
        }
        c.send(n++, now, windowed);
      }
      window.acquire(inFlight);
      recording.measuring = false;
      return result(client, responders, 0, seconds, sent, recording);
    }
  }

  /** Frees a window slot whenever a request ends. */
  private static final class WindowedRecording extends Recording {
    private final Recording delegate;
    private final Semaphore window;

    WindowedRecording(Recording delegate, Semaphore window) {
      this.delegate = delegate;
      this.window = window;
    }

    @Override
    void replied(long intendedNanos, long sentNanos) {
      delegate.replied(intendedNanos, sentNanos);
      window.release();
    }

    @Override
    void failed() {
      delegate.failed();
      window.release();
    }
  }

  private static void awaitOutstanding(Recording recording, long sent) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.plusSeconds(5).toNanos();
    while (recording.replied.get() + recording.failed.get() < sent
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private static Result result(
      String client, int responders, int rate, double seconds, long sent, Recording recording) {
    return new Result(
        client,
        responders,
        rate,
        seconds,
        sent,
        recording.replied.get(),
        recording.failed.get()
            + Math.max(0, sent - recording.replied.get() - recording.failed.get()),
        recording.corrected.getIntervalHistogram(),
        recording.uncorrected.getIntervalHistogram());
  }

  private Client client(String client, int responders) throws Exception {
    return client.equals(Tables.RAW) ? new Raw(responders) : new Bus(responders);
  }

  /** eventbus on both sides: responder buses sharing a subscription, one requesting bus. */
  private final class Bus implements Client {
    private final List<EventBus> buses = new ArrayList<>();
    private final EventBus requester;

    Bus(int responders) {
      String name = "bench-rpc-" + UUID.randomUUID().toString().substring(0, 8);
      for (int i = 0; i < responders; i++) {
        buses.add(
            EventBus.builder()
                .transport(broker.transport("bench-rpc-responder-" + i, "classic"))
                .source("/bench-responder")
                .subscribe(
                    SubscriptionOptions.builder(name)
                        .concurrency(CONSUMERS)
                        .prefetch(PREFETCH)
                        .build(),
                    Handlers.builder()
                        .answer(Query.class, (query, context) -> new Answer(query.n(), true))
                        .build())
                .build());
      }
      requester =
          EventBus.builder()
              .transport(broker.transport("bench-rpc-requester", "classic"))
              .source("/bench")
              .build();
      buses.add(requester);
    }

    @Override
    public void send(long n, long intendedNanos, Recording recording) {
      long sent = System.nanoTime();
      requester
          .request(new Query(n, "sku-" + (n % 100)), Answer.class, RequestOptions.timeout(TIMEOUT))
          .whenComplete(
              (answer, failure) -> {
                if (failure == null && answer.n() == n) {
                  recording.replied(intendedNanos, sent);
                } else {
                  recording.failed();
                }
              });
    }

    @Override
    public void close() {
      for (int i = buses.size() - 1; i >= 0; i--) {
        buses.get(i).close();
      }
    }
  }

  /** The raw amqp-client: direct reply-to on a requester channel, responders on their own. */
  private final class Raw implements Client {
    private final List<Connection> connections = new ArrayList<>();
    private final Channel requests;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final String queue = "bench-rpc-raw-" + UUID.randomUUID().toString().substring(0, 8);

    private record Pending(long n, long intendedNanos, long sentNanos, Recording recording) {}

    Raw(int responders) throws Exception {
      for (int r = 0; r < responders; r++) {
        Connection connection = broker.factory().newConnection("bench-raw-responder-" + r);
        connections.add(connection);
        for (int i = 0; i < CONSUMERS; i++) {
          Channel channel = connection.createChannel();
          channel.exchangeDeclare(RAW_EXCHANGE, "direct", true);
          channel.queueDeclare(queue, false, false, true, Map.of("x-queue-type", "classic"));
          channel.queueBind(queue, RAW_EXCHANGE, "bench.rpc.query.v1");
          channel.basicQos(PREFETCH);
          channel.basicConsume(queue, false, new Responder(channel));
        }
      }
      Connection requesting = broker.factory().newConnection("bench-raw-requester");
      connections.add(requesting);
      requests = requesting.createChannel();
      requests.basicConsume(
          "amq.rabbitmq.reply-to",
          true,
          new DefaultConsumer(requests) {
            @Override
            public void handleDelivery(
                String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
              Pending p = pending.remove(properties.getCorrelationId());
              if (p == null) {
                return;
              }
              try {
                Answer answer = codec.decode(body, Answer.class);
                if (answer.n() == p.n()) {
                  p.recording().replied(p.intendedNanos(), p.sentNanos());
                  return;
                }
              } catch (Exception e) {
                // counted below
              }
              p.recording().failed();
            }
          });
      requests.addReturnListener(
          returned -> {
            Pending p = pending.remove(returned.getProperties().getCorrelationId());
            if (p != null) {
              p.recording().failed();
            }
          });
    }

    @Override
    public void send(long n, long intendedNanos, Recording recording) throws Exception {
      String id = UUID.randomUUID().toString();
      byte[] body = codec.encode(new Query(n, "sku-" + (n % 100)));
      AMQP.BasicProperties properties =
          new AMQP.BasicProperties.Builder()
              .contentType("application/json")
              .correlationId(id)
              .messageId(id)
              .replyTo("amq.rabbitmq.reply-to")
              .expiration(Long.toString(TIMEOUT.toMillis()))
              .build();
      long sent = System.nanoTime();
      pending.put(id, new Pending(n, intendedNanos, sent, recording));
      synchronized (requests) {
        requests.basicPublish(RAW_EXCHANGE, "bench.rpc.query.v1", true, properties, body);
      }
    }

    /** Decodes the query, encodes the answer, replies, acks. */
    private final class Responder extends DefaultConsumer {
      Responder(Channel channel) {
        super(channel);
      }

      @Override
      public void handleDelivery(
          String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
          throws IOException {
        try {
          Query query = codec.decode(body, Query.class);
          byte[] reply = codec.encode(new Answer(query.n(), true));
          getChannel()
              .basicPublish(
                  "",
                  properties.getReplyTo(),
                  new AMQP.BasicProperties.Builder()
                      .contentType("application/json")
                      .correlationId(properties.getCorrelationId())
                      .build(),
                  reply);
        } catch (Exception e) {
          // an undecodable query gets no reply: the requester counts a failure at its end
        }
        getChannel().basicAck(envelope.getDeliveryTag(), false);
      }
    }

    @Override
    public void close() throws Exception {
      for (Connection connection : connections) {
        if (connection.isOpen()) {
          connection.close();
        }
      }
      try (Connection admin = broker.factory().newConnection("bench-raw-cleanup");
          Channel channel = admin.createChannel()) {
        channel.queueDelete(queue);
      }
      pending.values().forEach(p -> p.recording().failed());
    }
  }

  /** The brief's targets for the synchronous calls of the order flow. */
  static final double TARGET_P95_MS = 200;

  static final double TARGET_P99_MS = 500;

  /** The "Request-reply" section of docs/performance.md: method, table, targets. */
  static String section(
      List<Result> results, int seconds, int warmup, int maxSeconds, int inFlight) {
    StringBuilder md = new StringBuilder("## Request-reply\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "`RequestReplyBenchmark`: eventbus's `request` against a raw amqp-client RPC on direct"
                + " reply-to in the same JVM run, clients alternating. Each responder instance has a"
                + " connection of its own with %d consumers (prefetch %d) on a shared classic"
                + " auto-delete queue; both sides decode the JSON request and encode the reply."
                + " Fixed rates: %d s measured after %d s of warm-up, latency from each request's"
                + " **intended** send time to its reply (coordinated-omission-aware; the"
                + " uncorrected p99 runs from the actual send). Closed loop: %d requests"
                + " outstanding for %d s, the most replies per second.%n%n",
            CONSUMERS,
            PREFETCH,
            seconds,
            warmup,
            inFlight,
            maxSeconds));
    md.append(table(results)).append('\n');
    List<Result> fixed = results.stream().filter(r -> r.rate() > 0).toList();
    boolean met =
        fixed.stream()
            .filter(r -> r.client().equals("eventbus"))
            .allMatch(
                r -> r.micros(95) / 1000 < TARGET_P95_MS && r.micros(99) / 1000 < TARGET_P99_MS);
    md.append(
        String.format(
            Locale.ROOT,
            "Targets of the brief (p95 < %.0f ms, p99 < %.0f ms) at the fixed rates: %s for"
                + " eventbus in this run.%n%n",
            TARGET_P95_MS,
            TARGET_P99_MS,
            met ? "**met**" : "**not met**"));
    return md.toString();
  }

  /** The request-reply table: one row per responders, rate (or closed loop) and client. */
  static String table(List<Result> results) {
    StringBuilder out = new StringBuilder();
    out.append(
        "| responders | load | client | replies/s | p50 | p95 | p99 | p99.9 | max | p99"
            + " uncorrected | sent | failed |\n");
    out.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %d | %s | %s | %,.0f | %s | %s | %s | %s | %s | %s | %,d | %,d |%n",
              r.responders(),
              r.rate() == 0 ? "closed loop" : String.format(Locale.ROOT, "%,d/s", r.rate()),
              r.client(),
              r.perSecond(),
              LatencyBenchmark.ms(r.micros(50)),
              LatencyBenchmark.ms(r.micros(95)),
              LatencyBenchmark.ms(r.micros(99)),
              LatencyBenchmark.ms(r.micros(99.9)),
              LatencyBenchmark.ms(r.corrected().getMaxValue()),
              LatencyBenchmark.ms(r.uncorrected().getValueAtPercentile(99)),
              r.sent(),
              r.failed()));
    }
    return out.toString();
  }
}
