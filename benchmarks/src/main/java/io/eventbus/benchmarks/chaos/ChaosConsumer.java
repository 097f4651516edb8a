package io.eventbus.benchmarks.chaos;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The consuming process of a chaos run: subscribes {@code --subscription} and appends the id of
 * every event it handles to {@code handled.log} in {@code --dir} before acknowledging it. Prints
 * {@code READY} once consuming; stops cleanly on SIGTERM (and loses nothing on SIGKILL: unacked
 * events return to the queue).
 */
public final class ChaosConsumer {
  private ChaosConsumer() {}

  /** Logs each handled id; the log write happens before the handler returns, so before the ack. */
  static final class Handler {
    private final IdLog handled;

    Handler(IdLog handled) {
      this.handled = handled;
    }

    @EventHandler
    void on(ChaosEvent event, EventContext context) {
      handled.append(context.metadata().id());
    }
  }

  public static void main(String[] args) throws Exception {
    Arguments arguments = new Arguments(args);
    RabbitTransport.Builder transport =
        RabbitTransport.builder()
            .connectionName("chaos-consumer")
            .topology(RabbitTopology.defaults().withExchange(arguments.text("--exchange")))
            .heartbeat(Duration.ofSeconds(5))
            .recoveryInterval(Duration.ofMillis(500))
            .shutdownTimeout(Duration.ofSeconds(5));
    for (String uri : arguments.text("--uris").split(",")) {
      transport.uri(uri);
    }
    IdLog handled = new IdLog(Path.of(arguments.text("--dir")).resolve("handled.log"));
    EventBus bus =
        EventBus.builder()
            .transport(transport.build())
            .subscribe(
                SubscriptionOptions.builder(arguments.text("--subscription"))
                    .concurrency(4)
                    .prefetch(100)
                    .build(),
                Handlers.scan(new Handler(handled)))
            .build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  bus.close();
                  handled.close();
                  stopped.countDown();
                }));
    System.out.println("READY");
    System.out.flush();
    stopped.await();
  }
}
