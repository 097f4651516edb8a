package io.eventbus.rabbitmq.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.rabbitmq.client.AMQP;
import io.eventbus.PublishBufferFullException;
import io.eventbus.PublishNotConfirmedException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class PublishBufferTest {
  private static final long NO_WAIT = 0;

  static Publish publish(String id, int bytes, long expiresAt) {
    return new Publish(
        "bus",
        "order.placed.v1",
        new AMQP.BasicProperties.Builder().messageId(id).build(),
        new byte[bytes],
        id,
        "order.placed.v1",
        expiresAt,
        false);
  }

  static Publish publish(String id) {
    return publish(id, 10, Long.MAX_VALUE);
  }

  private static List<String> ids(List<Publish> publishes) {
    return publishes.stream().map(p -> p.eventId).toList();
  }

  private static List<Publish> takeAll(PublishBuffer buffer, int max, int room)
      throws InterruptedException {
    return buffer.awaitBatch(max, () -> room, () -> true, NO_WAIT);
  }

  @Test
  void oneEventMoreThanTheCountBoundFailsAtOnce() {
    PublishBuffer buffer = new PublishBuffer(2, 1_000);
    Publish third = publish("c");

    assertThat(buffer.offer(publish("a"))).isTrue();
    assertThat(buffer.offer(publish("b"))).isTrue();
    assertThat(buffer.offer(third)).isFalse();

    assertThat(third.future)
        .isCompletedExceptionally()
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(PublishBufferFullException.class)
        .withMessageContaining("c")
        .withMessageContaining("2 events, 1000 bytes");
    assertThat(buffer.size()).isEqualTo(2);
    assertThat(buffer.bytes()).isEqualTo(20);
  }

  @Test
  void anEventThatWouldPassTheByteBoundFailsAtOnce() {
    PublishBuffer buffer = new PublishBuffer(100, 25);

    assertThat(buffer.offer(publish("a", 10, Long.MAX_VALUE))).isTrue();
    assertThat(buffer.offer(publish("b", 15, Long.MAX_VALUE))).isTrue();
    Publish tooBig = publish("c", 1, Long.MAX_VALUE);
    assertThat(buffer.offer(tooBig)).isFalse();

    assertThat(tooBig.future.isCompletedExceptionally()).isTrue();
    assertThat(buffer.bytes()).isEqualTo(25);
  }

  @Test
  void takingAnEventMakesRoomForAnother() throws InterruptedException {
    PublishBuffer buffer = new PublishBuffer(1, 1_000);
    buffer.offer(publish("a"));

    assertThat(ids(takeAll(buffer, 10, 10))).containsExactly("a");
    assertThat(buffer.offer(publish("b"))).isTrue();
    assertThat(buffer.bytes()).isEqualTo(10);
  }

  @Test
  void aBatchIsLimitedByItsMaximumAndByTheRoomInTheWindow() throws InterruptedException {
    PublishBuffer buffer = new PublishBuffer(1_000, 1_000_000);
    for (int i = 0; i < 300; i++) {
      buffer.offer(publish("e" + i));
    }

    assertThat(takeAll(buffer, Sender.MAX_BATCH, 1_000)).hasSize(256);
    assertThat(takeAll(buffer, Sender.MAX_BATCH, 3))
        .extracting(p -> p.eventId)
        .containsExactly("e256", "e257", "e258");
    assertThat(takeAll(buffer, Sender.MAX_BATCH, 0)).isEmpty();
    assertThat(buffer.size()).isEqualTo(41);
  }

  @Test
  void nothingIsTakenWhileTheChannelCannotSend() throws InterruptedException {
    PublishBuffer buffer = new PublishBuffer(10, 1_000);
    buffer.offer(publish("a"));

    assertThat(buffer.awaitBatch(10, () -> 10, () -> false, NO_WAIT)).isEmpty();
    assertThat(buffer.size()).isEqualTo(1);
  }

  @Test
  void eventsPutBackAtTheFrontKeepTheirOrderAndSkipDoneOnes() throws InterruptedException {
    PublishBuffer buffer = new PublishBuffer(10, 1_000);
    buffer.offer(publish("later"));
    Publish first = publish("first");
    Publish done = publish("done");
    Publish second = publish("second");
    done.future.complete(null);

    assertThat(buffer.requeueFront(List.of(first, done, second))).isEqualTo(2);

    assertThat(ids(takeAll(buffer, 10, 10))).containsExactly("first", "second", "later");
  }

  @Test
  void aNackRetryGoesToTheBackEvenPastTheBoundsButNotAfterStop() throws InterruptedException {
    PublishBuffer buffer = new PublishBuffer(1, 1_000);
    buffer.offer(publish("a"));
    buffer.requeueBack(publish("retried"));

    assertThat(ids(takeAll(buffer, 10, 10))).containsExactly("a", "retried");

    buffer.stop();
    buffer.requeueBack(publish("too-late"));
    assertThat(buffer.size()).isZero();
    assertThat(buffer.awaitBatch(10, () -> 10, () -> true, NO_WAIT)).isNull();
  }

  @Test
  void expiredEventsAreRemovedAndTheirBytesFreed() {
    PublishBuffer buffer = new PublishBuffer(10, 1_000);
    buffer.offer(publish("old", 7, 100));
    buffer.offer(publish("young", 5, 300));
    buffer.offer(publish("older", 3, 50));

    assertThat(ids(buffer.removeExpired(100))).containsExactly("old", "older");
    assertThat(buffer.size()).isEqualTo(1);
    assertThat(buffer.bytes()).isEqualTo(5);
    assertThat(buffer.removeExpired(299)).isEmpty();
  }

  @Test
  void aClosedBufferRefusesWithTheTransportClosedAndDrainsWhatItHeld() {
    PublishBuffer buffer = new PublishBuffer(10, 1_000);
    buffer.offer(publish("held"));
    buffer.close();
    Publish late = publish("late");

    assertThat(buffer.offer(late)).isFalse();
    assertThat(late.future.isCompletedExceptionally()).isTrue();
    assertThat(late.future)
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(PublishNotConfirmedException.class)
        .withMessageContaining("the transport is closed");
    assertThat(ids(buffer.drain())).containsExactly("held");
    assertThat(buffer.bytes()).isZero();
  }

  @Test
  void drainingGivesUpAtTheDeadlineWhileConfirmsAreOutstanding() {
    PublishBuffer buffer = new PublishBuffer(10, 1_000);
    ManualScheduler clock = new ManualScheduler();

    assertTimeoutPreemptively(
        Duration.ofSeconds(5), () -> buffer.awaitDrained(() -> 5, clock, clock.nanos()));
  }

  @Test
  void drainingEndsAsSoonAsNothingIsBufferedOrOutstanding() {
    PublishBuffer buffer = new PublishBuffer(10, 1_000);
    ManualScheduler clock = new ManualScheduler();

    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> buffer.awaitDrained(() -> 0, clock, clock.nanos() + Duration.ofHours(1).toNanos()));
  }
}
