package io.eventbus.testkit.assertj;

import io.eventbus.spi.DeadLetter;
import io.eventbus.spi.DeadLetterReason;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a parked message: its reason headers (see docs/wire-format.md) and its original
 * headers.
 *
 * <h2>Thread safety</h2>
 *
 * Not thread-safe, like every AssertJ assertion.
 */
public final class DeadLetterAssert extends AbstractAssert<DeadLetterAssert, DeadLetter> {
  DeadLetterAssert(DeadLetter actual) {
    super(actual, DeadLetterAssert.class);
  }

  /** The reason category is {@code category}, such as {@code handler-failed}. */
  public DeadLetterAssert hasReason(String category) {
    return hasHeader(DeadLetterReason.HEADER_REASON, category);
  }

  /** The exception that made the subscription give up is of {@code type} exactly. */
  public DeadLetterAssert hasErrorType(Class<? extends Throwable> type) {
    return hasHeader(DeadLetterReason.HEADER_ERROR_TYPE, type.getName());
  }

  /** That exception's message contains {@code text}. */
  public DeadLetterAssert hasErrorMessageContaining(String text) {
    isNotNull();
    String message = actual.errorMessage();
    if (message == null || !message.contains(text)) {
      failWithMessage(
          "Expected dead letter of event [%s] to have an error message containing <%s> but was <%s>",
          actual.eventId(), text, message);
    }
    return this;
  }

  /** The subscription that parked it is {@code subscription}. */
  public DeadLetterAssert hasSubscription(String subscription) {
    return hasHeader(DeadLetterReason.HEADER_SUBSCRIPTION, subscription);
  }

  /** Header {@code name} has {@code value}. */
  public DeadLetterAssert hasHeader(String name, String value) {
    isNotNull();
    String found = actual.header(name);
    if (!Objects.equals(found, value)) {
      failWithMessage(
          "Expected dead letter of event [%s] to have header %s=<%s> but %s",
          actual.eventId(),
          name,
          value,
          found == null
              ? "it has no such header; it has " + actual.message().headers().keySet()
              : "was <" + found + ">");
    }
    return this;
  }

  /** Header {@code name} is present, whatever its value. */
  public DeadLetterAssert hasHeader(String name) {
    isNotNull();
    if (actual.header(name) == null) {
      failWithMessage(
          "Expected dead letter of event [%s] to have header %s but it has only %s",
          actual.eventId(), name, actual.message().headers().keySet());
    }
    return this;
  }
}
