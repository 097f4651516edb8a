package io.eventbus.benchmarks.chaos;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The consuming process of a chaos run: subscribes {@code --subscription} and appends the id of
 * every event it handles to {@code handled.log} in {@code --dir} before acknowledging it. Prints
 * {@code READY} once consuming; stops cleanly on SIGTERM (and loses nothing on SIGKILL: unacked
 * events return to the queue).
 *
 * <p>For a dependency outage ({@link OutageRun}): with {@code --dependency-flag FILE}, the handler
 * calls a dependency that is down while that file exists (the run creates and deletes it), with
 * redelivery delays of 1, 5 and 10 s; {@code --breaker true} gives the subscription a circuit
 * breaker, {@code --retry fast} two quick in-process attempts instead of the default policy.
 */
public final class ChaosConsumer {
  private ChaosConsumer() {}

  /** Logs each handled id; the log write happens before the handler returns, so before the ack. */
  static final class Handler {
    private final IdLog handled;
    private final Dependency dependency;

    Handler(IdLog handled, Dependency dependency) {
      this.handled = handled;
      this.dependency = dependency;
    }

    @EventHandler
    void on(ChaosEvent event, EventContext context) {
      dependency.call();
      handled.append(context.metadata().id());
    }
  }

  /**
   * A dependency that is down while a flag file exists; the file is looked at every 20 ms on a
   * thread of its own, not per event.
   */
  static final class Dependency {
    private volatile boolean down;
    private final AtomicLong refused = new AtomicLong();

    static Dependency alwaysUp() {
      return new Dependency();
    }

    static Dependency downWhile(Path flag) {
      Dependency dependency = new Dependency();
      Thread watcher =
          new Thread(
              () -> {
                while (true) {
                  dependency.down = Files.exists(flag);
                  try {
                    TimeUnit.MILLISECONDS.sleep(20);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "chaos-dependency-flag");
      watcher.setDaemon(true);
      watcher.start();
      return dependency;
    }

    void call() {
      if (down) {
        refused.incrementAndGet();
        throw new IllegalStateException("the dependency is down");
      }
    }

    /** Calls that failed because the dependency was down. */
    long refused() {
      return refused.get();
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
    String flag = arguments.text("--dependency-flag", "");
    SubscriptionOptions.Builder options =
        SubscriptionOptions.builder(arguments.text("--subscription")).concurrency(4).prefetch(100);
    if (!flag.isEmpty()) {
      options.redeliveryDelays(OutageRun.REDELIVERY_DELAYS.toArray(Duration[]::new));
      if (arguments.text("--retry", "default").equals("fast")) {
        options.retryPolicy(OutageRun.FAST_RETRIES);
      }
      if (Boolean.parseBoolean(arguments.text("--breaker", "false"))) {
        options.circuitBreaker(OutageRun.BREAKER);
      }
    }
    Dependency dependency =
        flag.isEmpty() ? Dependency.alwaysUp() : Dependency.downWhile(Path.of(flag));
    EventBus bus =
        EventBus.builder()
            .transport(transport.build())
            .subscribe(options.build(), Handlers.scan(new Handler(handled, dependency)))
            .build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  bus.close();
                  handled.close();
                  if (!flag.isEmpty()) {
                    try {
                      Files.writeString(
                          Path.of(arguments.text("--dir")).resolve("refused.count"),
                          Long.toString(dependency.refused()));
                    } catch (IOException e) {
                      System.err.println("chaos-consumer: could not write refused.count: " + e);
                    }
                  }
                  stopped.countDown();
                }));
    System.out.println("READY");
    System.out.flush();
    stopped.await();
  }
}
