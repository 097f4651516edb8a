package io.eventbus.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.eventbus.EventBus;
import io.eventbus.EventHandler;
import io.eventbus.Handlers;
import io.eventbus.Subscription;
import io.eventbus.SubscriptionOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Consumes the same pre-filled queue with the raw amqp-client, with eventbus's default chain (an
 * {@code @EventHandler} that does nothing) and optionally with Spring AMQP, in the same JVM,
 * alternating, with the same prefetch and one consumer each, and prints throughput, the ratio to
 * the raw client and client CPU time per event.
 *
 * <p>Before each run the raw client fills a fresh queue (declared exactly as an eventbus
 * subscription declares it) with persistent events of about 200 bytes; the clock starts when the
 * consumer is started and stops when the last event enters its handler.
 *
 * <pre>
 * benchmarks/bench.sh ConsumeBenchmark --events 200000 --rounds 3 --prefetch 250 --spring true
 * </pre>
 */
public final class ConsumeBenchmark {
  static final String ROUTING_KEY = "bench.order.placed.v1";

  private final BenchBroker broker;
  private final int prefetch;
  private final byte[] body;
  private final AMQP.BasicProperties properties = PublishBenchmark.properties();

  ConsumeBenchmark(BenchBroker broker, int prefetch) throws Exception {
    this.broker = broker;
    this.prefetch = prefetch;
    this.body = new PublishBenchmark(broker.uri(), 1).body();
  }

  public static void main(String[] args) throws Exception {
    PublishBenchmark.Options options = new PublishBenchmark.Options(args);
    String uri = options.text("--uri", BenchBroker.PRIVATE);
    int events = options.number("--events", 200_000);
    int rounds = options.number("--rounds", Rounds.DEFAULT);
    int prefetch = options.number("--prefetch", 250);
    boolean spring = Boolean.parseBoolean(options.text("--spring", "false"));
    PublishBenchmark.rawBuildsMessages = !options.text("--raw", "json").equals("bare");
    List<String> queueTypes = List.of(options.text("--queues", "quorum,classic").split(","));
    Rounds.only(options.text("--clients", ""));
    try (BenchBroker broker = BenchBroker.open(uri)) {
      System.out.printf(
          "Consume benchmark: %,d events per run, prefetch %d, %d rounds, %d cores, Java %s,"
              + " RabbitMQ %s on %s%n",
          events,
          prefetch,
          rounds,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"),
          broker.version(),
          broker.description());
      List<Measurement.Result> results =
          new ConsumeBenchmark(broker, prefetch).run(queueTypes, events, rounds, spring);
      System.out.println();
      System.out.print(Tables.throughput(results, false));
      System.out.println();
      System.out.print(Tables.rounds(results));
    }
  }

  /** Warms up, then runs every client {@code rounds} times per queue type, rotating the order. */
  List<Measurement.Result> run(List<String> queueTypes, int events, int rounds, boolean spring)
      throws Exception {
    List<String> clients = new ArrayList<>(List.of("amqp-client", "eventbus"));
    if (spring) {
      clients.add(SpringAmqpPeer.CLIENT);
    }
    return Rounds.rotate("consume", clients, queueTypes, events, rounds, this::run);
  }

  private Measurement.Result run(String client, String queueType, int events) throws Exception {
    String queue = BenchBroker.uniqueName("consume", queueType);
    broker.declareSubscription(queue, BenchOrderPlaced.class, queueType);
    try {
      broker.fill(queue, ROUTING_KEY, properties, body, events);
      Measurement.Result result =
          switch (client) {
            case "amqp-client" -> raw(queue, queueType, events);
            case "eventbus" -> eventbus(queue, queueType, events);
            case SpringAmqpPeer.CLIENT ->
                SpringAmqpPeer.consume(broker, queue, queueType, events, prefetch);
            default -> throw new IllegalArgumentException(client);
          };
      expectEmpty(queue);
      return result;
    } finally {
      broker.delete(BenchBroker.subscriptionQueues(queue));
    }
  }

  /** One channel, {@code basicQos(prefetch)}, manual acks, one at a time. */
  private Measurement.Result raw(String queue, String queueType, int events) throws Exception {
    Measurement measurement = new Measurement();
    boolean decode = PublishBenchmark.rawBuildsMessages;
    try (Connection connection = broker.factory().newConnection("bench-raw")) {
      CountDownLatch handled = new CountDownLatch(events);
      measurement.start();
      Channel channel = connection.createChannel();
      channel.basicQos(prefetch);
      channel.basicConsume(
          queue,
          false,
          new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(
                String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                throws IOException {
              if (decode) {
                // What an application must do with amqp-client alone: read the event, then ack.
                BenchOrderPlaced event =
                    PublishBenchmark.PLAIN_JSON.readValue(body, BenchOrderPlaced.class);
                if (event.orderId() == null || properties.getMessageId() == null) {
                  throw new IOException("not an event");
                }
              }
              getChannel().basicAck(envelope.getDeliveryTag(), false);
              handled.countDown();
            }
          });
      await(handled, "amqp-client");
      measurement.stop();
    }
    return measurement.result("amqp-client", queueType, events);
  }

  /** The default chain: a subscription with one {@code @EventHandler} and default options. */
  private Measurement.Result eventbus(String queue, String queueType, int events) throws Exception {
    Measurement measurement = new Measurement();
    try (EventBus bus =
        EventBus.builder()
            .transport(broker.transport("bench-eventbus", queueType))
            .source("/bench")
            .build()) {
      CountingHandler handler = new CountingHandler(events);
      measurement.start();
      Subscription subscription =
          bus.subscribe(
              SubscriptionOptions.builder(queue).prefetch(prefetch).build(),
              Handlers.scan(handler));
      await(handler.handled, "eventbus");
      measurement.stop();
      subscription.close();
    }
    return measurement.result("eventbus", queueType, events);
  }

  private void expectEmpty(String queue) throws InterruptedException {
    String deadLetters = BenchBroker.subscriptionQueues(queue).get(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (broker.ready(queue) != 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    if (broker.ready(queue) != 0 || broker.ready(deadLetters) != 0) {
      BenchBroker.warn(
          queue
              + " still held "
              + broker.ready(queue)
              + " events after its consumer handled them all, its dead-letter queue "
              + broker.ready(deadLetters));
    }
  }

  private static void await(CountDownLatch latch, String client) throws InterruptedException {
    if (!latch.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException(client + ": " + latch.getCount() + " events not handled");
    }
  }

  /** The trivial handler: counts. */
  static final class CountingHandler {
    final CountDownLatch handled;

    CountingHandler(int events) {
      this.handled = new CountDownLatch(events);
    }

    @EventHandler
    void on(BenchOrderPlaced event) {
      handled.countDown();
    }
  }
}
