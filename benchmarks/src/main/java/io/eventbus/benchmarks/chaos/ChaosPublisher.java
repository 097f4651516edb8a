package io.eventbus.benchmarks.chaos;

import io.eventbus.EventBus;
import io.eventbus.PublishOptions;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The publishing process of a chaos run: publishes {@code --events} events at {@code --rate} per
 * second, each with a known id, and appends the id of every confirmed event to {@code
 * confirmed.log} and of every failed one to {@code failed.log} in {@code --dir}. Prints {@code
 * READY} once connected, before the first publish; exits once every publish has settled.
 */
public final class ChaosPublisher {
  private ChaosPublisher() {}

  public static void main(String[] args) throws Exception {
    Arguments arguments = new Arguments(args);
    Path dir = Path.of(arguments.text("--dir"));
    int events = arguments.number("--events");
    int rate = arguments.number("--rate");
    String prefix = arguments.text("--run");
    RabbitTransport.Builder transport =
        RabbitTransport.builder()
            .connectionName("chaos-publisher")
            .topology(RabbitTopology.defaults().withExchange(arguments.text("--exchange")))
            .publisher(
                PublisherSettings.defaults()
                    .withTimeout(Duration.ofSeconds(arguments.number("--timeout-seconds"))))
            .heartbeat(Duration.ofSeconds(5))
            .recoveryInterval(Duration.ofMillis(500));
    for (String uri : arguments.text("--uris").split(",")) {
      transport.uri(uri);
    }
    CountDownLatch settled = new CountDownLatch(events);
    try (EventBus bus =
            EventBus.builder()
                .transport(transport.build())
                .source("/chaos/publisher")
                .register(ChaosEvent.class)
                .build();
        IdLog confirmed = new IdLog(dir.resolve("confirmed.log"));
        IdLog failed = new IdLog(dir.resolve("failed.log"))) {
      System.out.println("READY");
      long start = System.nanoTime();
      long interval = TimeUnit.SECONDS.toNanos(1) / rate;
      for (int i = 0; i < events; i++) {
        long due = start + i * interval;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        String id = prefix + "-" + i;
        bus.publish(new ChaosEvent("order-" + (i % 500), i), PublishOptions.none().withId(id))
            .whenComplete(
                (receipt, failure) -> {
                  (failure == null ? confirmed : failed).append(id);
                  settled.countDown();
                });
      }
      if (!settled.await(5, TimeUnit.MINUTES)) {
        System.err.println("chaos-publisher: " + settled.getCount() + " publishes never settled");
        System.exit(2);
      }
    }
    System.out.println("chaos-publisher: done");
  }
}
