package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.RequestException;
import io.eventbus.RequestOptions;
import io.eventbus.RequestPolicy;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.fault.ConnectionCutter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request-reply under connection cuts, on a private RabbitMQ node behind a {@link ConnectionCutter}
 * (never the shared node): every request of a burst completes with its reply or fails typed within
 * its deadline, none hangs, and requests work again after recovery.
 */
class RequestReplyFaultsIT extends PrivateNodeFaultTest {
  private static final Logger log = LoggerFactory.getLogger(RequestReplyFaultsIT.class);
  private static final Duration DEADLINE = Duration.ofSeconds(3);
  private static final Duration MARGIN = Duration.ofSeconds(2);

  @EventType("faults.echo.v1")
  record Echo(int n) {}

  @EventType("faults.echoed.v1")
  record Echoed(int n) {}

  RequestReplyFaultsIT() {
    super("rpc-faults");
  }

  private EventBus bus(String name, EventBus.Builder builder) {
    EventBus bus =
        builder
            .transport(
                RabbitTransport.builder()
                    .uri(cutter.proxiedUri(node.uri()))
                    .connectionName(name)
                    .topology(RabbitTopology.defaults().withExchange(exchange))
                    .recoveryInterval(Duration.ofMillis(300))
                    .shutdownTimeout(Duration.ofSeconds(2))
                    .build())
            .build();
    closeables.add(bus);
    return bus;
  }

  private EventBus responder() {
    return bus(
        "rpc-responder",
        EventBus.builder()
            .subscribe(
                SubscriptionOptions.builder("echo").concurrency(4).prefetch(20).build(),
                Handlers.builder()
                    .answer(Echo.class, (request, context) -> new Echoed(request.n()))
                    .build()));
  }

  @Test
  void everyRequestOfABurstCompletesOrFailsTypedWithinItsDeadlineAcrossACut() throws Exception {
    responder();
    EventBus requester = bus("rpc-requester", EventBus.builder());
    assertThat(requester.requestAndWait(new Echo(-1), Echoed.class)).isEqualTo(new Echoed(-1));

    Map<RequestException.Reason, Integer> failures = runBurstWithACut(requester, 600);

    log.info("Burst across a cut: failures by reason {}", failures);
    assertThat(failures.keySet())
        .allSatisfy(
            reason ->
                assertThat(reason)
                    .isIn(
                        RequestException.Reason.CONNECTION_LOST,
                        RequestException.Reason.DEADLINE_EXCEEDED,
                        RequestException.Reason.NO_RESPONDER));
    Await.until(
        Duration.ofSeconds(30),
        () -> {
          try {
            return requester
                    .request(new Echo(7), Echoed.class, RequestOptions.timeout(DEADLINE))
                    .toCompletableFuture()
                    .get()
                    .n()
                == 7;
          } catch (ExecutionException e) {
            return false;
          }
        },
        "a request to succeed after recovery");
  }

  @Test
  void anIdempotentTypeIsResentAfterACutWithinItsDeadline() throws Exception {
    responder();
    EventBus requester =
        bus(
            "rpc-idempotent",
            EventBus.builder()
                .requestPolicy(
                    Echo.class,
                    RequestPolicy.builder()
                        .timeout(DEADLINE)
                        .idempotent(true)
                        .attemptTimeout(Duration.ofMillis(1_000))
                        .retry(
                            RetryPolicy.builder()
                                .maxAttempts(5)
                                .backoff(Duration.ofMillis(100), 2.0, Duration.ofMillis(500))
                                .build())
                        .build()));
    assertThat(requester.requestAndWait(new Echo(-1), Echoed.class)).isEqualTo(new Echoed(-1));

    Map<RequestException.Reason, Integer> failures = runBurstWithACut(requester, 300);

    log.info("Idempotent burst across a cut: failures by reason {}", failures);
    int failed = failures.values().stream().mapToInt(Integer::intValue).sum();
    assertThat(failed).as("requests that failed in spite of retries").isLessThan(300);
  }

  /** Sends {@code count} requests at about 1,000/s, cuts every connection in the middle. */
  private Map<RequestException.Reason, Integer> runBurstWithACut(EventBus requester, int count)
      throws Exception {
    List<CompletableFuture<Echoed>> replies = new ArrayList<>();
    List<Long> sentAt = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (i == count / 3) {
        cutter.cutAll();
      }
      sentAt.add(System.nanoTime());
      replies.add(requester.request(new Echo(i), Echoed.class).toCompletableFuture());
      if (i % 10 == 0) {
        Thread.sleep(10); // paces the burst; not a wait for an outcome
      }
    }
    Map<RequestException.Reason, Integer> failures = new EnumMap<>(RequestException.Reason.class);
    for (int i = 0; i < count; i++) {
      long left = sentAt.get(i) + DEADLINE.plus(MARGIN).toNanos() - System.nanoTime();
      try {
        assertThat(replies.get(i).get(Math.max(1, left), TimeUnit.NANOSECONDS))
            .isEqualTo(new Echoed(i));
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(RequestException.class);
        failures.merge(((RequestException) e.getCause()).reason(), 1, Integer::sum);
      }
    }
    return failures;
  }
}
