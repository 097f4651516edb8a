package io.eventbus.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventType;
import io.eventbus.RequestException;
import io.eventbus.RequestHandler;
import io.eventbus.RequestOptions;
import io.eventbus.RequestPolicy;
import io.eventbus.RetryPolicy;
import io.eventbus.inmemory.InMemoryTransport;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The examples quoted in docs/request-reply.md, compiled and run: a responder, a request with a
 * deadline, a policy with retries, a circuit breaker and a fallback, and the typed failures.
 */
class RequestReplyExampleTest {
  // [types]
  @EventType("customer.check.v1")
  record CheckCustomer(String customerId) {}

  @EventType("customer.status.v1")
  record CustomerStatus(String customerId, boolean allowed) {}

  // [types]

  // [responder]
  static final class CustomerService {
    @RequestHandler
    CustomerStatus check(CheckCustomer request) {
      if (request.customerId().isBlank()) {
        throw new IllegalArgumentException("no customer id");
      }
      return new CustomerStatus(request.customerId(), !request.customerId().startsWith("x"));
    }
  }

  // [responder]

  @Test
  void aRequestIsAnsweredByTheResponder() {
    InMemoryTransport transport = InMemoryTransport.create();
    try (EventBus customers =
            EventBus.builder()
                .transport(transport)
                .subscribe("customers", new CustomerService())
                .build();
        EventBus orders = EventBus.builder().transport(transport.peer()).build()) {
      // [request]
      CompletionStage<CustomerStatus> status =
          orders.request(
              new CheckCustomer("c-42"),
              CustomerStatus.class,
              RequestOptions.timeout(Duration.ofMillis(500)));
      CustomerStatus now = orders.requestAndWait(new CheckCustomer("c-43"), CustomerStatus.class);
      // [request]
      assertThat(status.toCompletableFuture().join()).isEqualTo(new CustomerStatus("c-42", true));
      assertThat(now.allowed()).isTrue();

      // [failure]
      try {
        orders.requestAndWait(new CheckCustomer(" "), CustomerStatus.class);
      } catch (RequestException e) {
        // e.reason() == RESPONDER_FAILED, e.remoteType() == "java.lang.IllegalArgumentException",
        // e.remoteMessage() == "no customer id"
      }
      // [failure]
      assertThatThrownBy(() -> orders.requestAndWait(new CheckCustomer(" "), CustomerStatus.class))
          .isInstanceOfSatisfying(
              RequestException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(RequestException.Reason.RESPONDER_FAILED);
                assertThat(e.remoteType()).isEqualTo(IllegalArgumentException.class.getName());
                assertThat(e.remoteMessage()).isEqualTo("no customer id");
              });
    }
  }

  @Test
  void aPolicyFallsBackWhenNoResponderIsBound() {
    InMemoryTransport transport = InMemoryTransport.create();
    // [policy]
    RequestPolicy checks =
        RequestPolicy.builder()
            .timeout(Duration.ofMillis(300))
            .idempotent(true)
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(3)
                    .backoff(Duration.ofMillis(20), 2.0, Duration.ofMillis(100))
                    .build())
            .attemptTimeout(Duration.ofMillis(100))
            .circuitBreaker(RequestPolicy.CircuitBreakerSettings.defaults())
            .fallback(CustomerStatus.class, failure -> new CustomerStatus("unknown", false))
            .maxConcurrent(64)
            .build();
    EventBus orders =
        EventBus.builder().transport(transport).requestPolicy(CheckCustomer.class, checks).build();
    // [policy]
    try (orders) {
      assertThat(orders.requestAndWait(new CheckCustomer("c-1"), CustomerStatus.class))
          .isEqualTo(new CustomerStatus("unknown", false));
    }
  }
}
