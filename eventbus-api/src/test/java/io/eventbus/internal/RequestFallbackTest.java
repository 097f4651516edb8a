package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.RequestException;
import io.eventbus.RequestException.Reason;
import io.eventbus.RequestPolicy;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** When a failed request gets its fallback value, and what it gets when the fallback fails. */
class RequestFallbackTest {
  record Status(String value) {}

  /** What {@code future}, already completed, failed with (null if it did not). */
  private static Throwable cause(CompletableFuture<?> future) {
    assertThat(future).isDone();
    return future.handle((value, failure) -> failure).join();
  }

  private static RequestException failure(Reason reason) {
    return RequestException.of("r-1", "test.status.v1", reason, "it failed", null);
  }

  @Test
  void aFallbackAnswersAFailureWithItsValue() {
    RequestPolicy policy =
        RequestPolicy.builder().fallback(Status.class, f -> new Status(f.reason().name())).build();
    CompletableFuture<Status> result = new CompletableFuture<>();

    assertThat(RequestFallback.applies(policy, failure(Reason.CIRCUIT_OPEN))).isTrue();
    RequestFallback.complete(policy, Status.class, result, failure(Reason.CIRCUIT_OPEN));

    assertThat(result).isCompletedWithValue(new Status("CIRCUIT_OPEN"));
  }

  @Test
  void anInvalidRequestOrAPolicyWithoutFallbackFailsWithTheFailure() {
    RequestPolicy withFallback = RequestPolicy.builder().fallbackValue(new Status("x")).build();
    RequestException invalid = failure(Reason.INVALID_REQUEST);
    RequestException open = failure(Reason.CIRCUIT_OPEN);
    CompletableFuture<Status> first = new CompletableFuture<>();
    CompletableFuture<Status> second = new CompletableFuture<>();

    assertThat(RequestFallback.applies(withFallback, invalid)).isFalse();
    assertThat(RequestFallback.applies(RequestPolicy.defaults(), open)).isFalse();
    RequestFallback.complete(withFallback, Status.class, first, invalid);
    RequestFallback.complete(RequestPolicy.defaults(), Status.class, second, open);

    assertThat(first).isCompletedExceptionally();
    assertThat(cause(first)).isSameAs(invalid);
    assertThat(cause(second)).isSameAs(open);
  }

  @Test
  void aFallbackThatThrowsOrAnswersWithAnotherClassLeavesTheFailureWithThatSuppressed() {
    IllegalStateException boom = new IllegalStateException("boom");
    RequestPolicy throwing =
        RequestPolicy.builder()
            .fallback(
                Status.class,
                f -> {
                  throw boom;
                })
            .build();
    RequestPolicy wrongClass = RequestPolicy.builder().fallbackValue("not a status").build();
    RequestException first = failure(Reason.NO_RESPONDER);
    RequestException second = failure(Reason.NO_RESPONDER);
    CompletableFuture<Status> thrown = new CompletableFuture<>();
    CompletableFuture<Status> mismatched = new CompletableFuture<>();

    RequestFallback.complete(throwing, Status.class, thrown, first);
    RequestFallback.complete(wrongClass, Status.class, mismatched, second);

    assertThat(cause(thrown)).isSameAs(first);
    assertThat(first.getSuppressed()).containsExactly(boom);
    assertThat(cause(mismatched)).isSameAs(second);
    assertThat(second.getSuppressed()).hasSize(1);
    assertThat(second.getSuppressed()[0])
        .hasMessage(
            "The fallback of test.status.v1 returned java.lang.String, not a "
                + Status.class.getName());
  }
}
