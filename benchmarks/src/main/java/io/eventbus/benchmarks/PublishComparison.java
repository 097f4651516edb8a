package io.eventbus.benchmarks;

import com.rabbitmq.client.AMQP;
import java.util.List;

/**
 * {@link PublishBenchmark}'s two clients plus Spring AMQP, rotating the order every round, each run
 * on a fresh queue with the same outstanding-confirm window.
 *
 * <pre>
 * benchmarks/bench.sh PublishComparison --events 200000 --rounds 3
 * </pre>
 */
public final class PublishComparison {
  private final BenchBroker broker;
  private final PublishBenchmark benchmark;
  private final int window;
  private final byte[] body;
  private final AMQP.BasicProperties properties = PublishBenchmark.properties();

  PublishComparison(BenchBroker broker, int window) throws Exception {
    this.broker = broker;
    this.window = window;
    this.benchmark = new PublishBenchmark(broker.uri(), window);
    this.body = benchmark.body();
  }

  public static void main(String[] args) throws Exception {
    PublishBenchmark.Options options = new PublishBenchmark.Options(args);
    String uri = options.text("--uri", BenchBroker.PRIVATE);
    int events = options.number("--events", 200_000);
    int rounds = options.number("--rounds", Rounds.DEFAULT);
    int window = options.number("--window", 4_096);
    boolean spring = Boolean.parseBoolean(options.text("--spring", "true"));
    PublishBenchmark.rawBuildsMessages = !options.text("--raw", "json").equals("bare");
    List<String> queueTypes = List.of(options.text("--queues", "quorum,classic").split(","));
    Rounds.only(options.text("--clients", ""));
    try (BenchBroker broker = BenchBroker.open(uri)) {
      System.out.printf(
          "Publish benchmark: %,d events per run, window %,d, %d rounds, %d cores, Java %s,"
              + " RabbitMQ %s on %s%n",
          events,
          window,
          rounds,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"),
          broker.version(),
          broker.description());
      List<Measurement.Result> results =
          new PublishComparison(broker, window).run(queueTypes, events, rounds, spring);
      System.out.println();
      System.out.print(Tables.throughput(results, true));
      System.out.println();
      System.out.print(Tables.rounds(results));
    }
  }

  /** Warms up, then runs the clients {@code rounds} times per queue type. */
  List<Measurement.Result> run(List<String> queueTypes, int events, int rounds, boolean spring)
      throws Exception {
    List<String> clients =
        spring
            ? List.of(Tables.RAW, "eventbus", SpringAmqpPeer.CLIENT)
            : List.of(Tables.RAW, "eventbus");
    return Rounds.rotate("publish", clients, queueTypes, events, rounds, this::run);
  }

  private Measurement.Result run(String client, String queueType, int events) throws Exception {
    return switch (client) {
      case Tables.RAW -> benchmark.raw(queueType, events);
      case "eventbus" -> benchmark.eventbus(queueType, events);
      case SpringAmqpPeer.CLIENT -> spring(queueType, events);
      default -> throw new IllegalArgumentException(client);
    };
  }

  private Measurement.Result spring(String queueType, int events) throws Exception {
    String queue = BenchBroker.uniqueName("publish", queueType);
    broker.declarePlainQueue(queue, queueType, ConsumeBenchmark.ROUTING_KEY);
    try {
      Measurement.Result result =
          SpringAmqpPeer.publish(
              broker, queueType, ConsumeBenchmark.ROUTING_KEY, events, window, body, properties);
      long stored = broker.ready(queue);
      if (stored != events) {
        throw new IllegalStateException(queue + " holds " + stored + ", expected " + events);
      }
      return result;
    } finally {
      broker.delete(List.of(queue));
    }
  }
}
