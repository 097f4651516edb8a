package io.eventbus.rabbitmq.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.PublishBufferFullException;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.UnroutableEventException;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.internal.FakeChannel;
import io.eventbus.rabbitmq.internal.FakeChannel.Published;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The publisher against a {@link FakeChannel} playing the broker and a {@link ManualScheduler}
 * playing time: the sender thread is real, but nothing here waits for a deadline or a back-off.
 */
class ConfirmingPublisherTest extends PublisherTestSupport {

  @Test
  void eachConfirmCompletesItsEventAndAMultipleOneEverythingUpToIt() throws Exception {
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");
    CompletableFuture<Void> b = publish("b");
    CompletableFuture<Void> c = publish("c");
    FakeChannel channel = nextChannel();

    List<Published> sent = channel.awaitPublished(3, WAIT);
    assertThat(ids(sent)).containsExactly("a", "b", "c");
    assertThat(sent)
        .allSatisfy(
            message -> {
              assertThat(message.mandatory()).isTrue();
              assertThat(message.exchange()).isEqualTo("bus");
              assertThat(message.routingKey()).isEqualTo(TYPE);
            });
    assertThat(publisher.outstandingConfirms()).isEqualTo(3);

    channel.ack(sent.get(0).sequence(), false);
    assertThat(a).isCompleted();
    assertThat(b).isNotDone();

    channel.ack(sent.get(2).sequence(), true);
    assertThat(b).isCompleted();
    assertThat(c).isCompleted();
    assertThat(publisher.outstandingConfirms()).isZero();
  }

  @Test
  void aPublishBeyondTheBufferBoundsFailsAtOnce() {
    connected = false;
    start(PublisherSettings.builder().maxBufferedEvents(2).build());
    publish("a");
    publish("b");

    CompletableFuture<Void> third = publish("c");

    assertThat(third).isCompletedExceptionally();
    failure(third)
        .isInstanceOf(PublishBufferFullException.class)
        .withMessageContaining("Event c")
        .withMessageContaining("limits 2 events");
    assertThat(publisher.bufferedEvents()).isEqualTo(2);
    assertThat(publisher.bufferedBytes()).isEqualTo(2 * "{\"id\":\"a\"}".length());
  }

  @Test
  void aNackedEventIsSentAgainAfterItsBackOffAndThenConfirmed() throws Exception {
    start(PublisherSettings.builder().nackRetries(2).nackBackoff(Duration.ofMillis(100)).build());
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();
    channel.awaitPublished(1, WAIT);

    channel.nack(1, false);
    assertThat(publisher.nackRetries()).isEqualTo(1);
    assertThat(a).isNotDone();
    assertThat(channel.published()).hasSize(1);

    scheduler.advance(Duration.ofMillis(150)); // the first back-off is 100 ms ± 50%
    List<Published> sent = channel.awaitPublished(2, WAIT);
    assertThat(ids(sent)).containsExactly("a", "a");
    channel.ack(sent.get(1).sequence(), false);
    assertThat(a).isCompleted();
  }

  @Test
  void closeFailsAnEventWaitingForItsRetryAfterANackAndALateRetrySendsNothing() throws Exception {
    start(PublisherSettings.builder().nackRetries(2).nackBackoff(Duration.ofMillis(100)).build());
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();
    channel.awaitPublished(1, WAIT);
    channel.nack(1, false);
    assertThat(a).isNotDone();

    publisher.close(Duration.ZERO);

    failure(a)
        .isInstanceOf(PublishNotConfirmedException.class)
        .withMessageContaining("the transport closed");
    scheduler.advance(Duration.ofSeconds(1)); // the retry's task runs after all
    assertThat(channel.published()).hasSize(1);
  }

  @Test
  void aNackAfterTheLastRetryFailsTheEvent() throws Exception {
    start(PublisherSettings.builder().nackRetries(1).build());
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();
    channel.awaitPublished(1, WAIT);

    channel.nack(1, false);
    scheduler.advance(Duration.ofSeconds(1));
    channel.awaitPublished(2, WAIT);
    channel.nack(2, false);

    failure(a)
        .isInstanceOf(PublishNotConfirmedException.class)
        .withMessageContaining("rejected by the broker (nack)");
    assertThat(publisher.nackRetries()).isEqualTo(1);
  }

  @Test
  void inStrictModeAReturnedEventFailsAsUnroutableWhileTheRestOfItsConfirmSucceeds()
      throws Exception {
    start(PublisherSettings.defaults().withFailUnroutable(true));
    CompletableFuture<Void> lost = publish("lost");
    CompletableFuture<Void> kept = publish("kept");
    FakeChannel channel = nextChannel();
    List<Published> sent = channel.awaitPublished(2, WAIT);

    channel.returnUnroutable(sent.get(0));
    channel.ack(sent.get(1).sequence(), true);

    failure(lost)
        .isInstanceOf(UnroutableEventException.class)
        .withMessageContaining("Event lost")
        .withMessageContaining("exchange 'bus' with routing key '" + TYPE + "'")
        .withMessageContaining("312 NO_ROUTE");
    assertThat(kept).isCompleted();
    assertThat(publisher.unroutableAccepted()).isZero();
  }

  @Test
  void aReturnFindsTheRightOneOfSeveralEventsWithTheSameId() throws Exception {
    start(PublisherSettings.defaults().withFailUnroutable(true));
    CompletableFuture<Void> first = publish("same");
    CompletableFuture<Void> second = publish("same");
    FakeChannel channel = nextChannel();
    List<Published> sent = channel.awaitPublished(2, WAIT);

    channel.ack(sent.get(0).sequence(), false);
    channel.returnUnroutable(sent.get(1));
    channel.ack(sent.get(1).sequence(), false);

    assertThat(first).isCompleted();
    failure(second).isInstanceOf(UnroutableEventException.class);
  }

  @Test
  void unroutableEventsAreAcceptedAndCountedByTypeByDefault() throws Exception {
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();
    List<Published> sent = channel.awaitPublished(1, WAIT);

    channel.returnUnroutable(sent.get(0));
    channel.ack(sent.get(0).sequence(), false);

    assertThat(a).succeedsWithin(WAIT);
    assertThat(publisher.unroutableAccepted()).isEqualTo(1);
    assertThat(publisher.unroutable().byType()).isEqualTo(java.util.Map.of(TYPE, 1L));
  }

  @Test
  void unconfirmedEventsAreSentAgainInOrderOnTheNextChannel() throws Exception {
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");
    CompletableFuture<Void> b = publish("b");
    CompletableFuture<Void> c = publish("c");
    FakeChannel first = nextChannel();
    first.awaitPublished(3, WAIT);
    first.ack(1, false);

    first.die();

    FakeChannel second = nextChannel();
    List<Published> resent = second.awaitPublished(2, WAIT);
    assertThat(ids(resent)).containsExactly("b", "c");
    assertThat(resent).extracting(Published::sequence).containsExactly(1L, 2L);
    assertThat(publisher.resentAfterRecovery()).isEqualTo(2);
    CompletableFuture<Void> d = publish("d");
    assertThat(ids(second.awaitPublished(3, WAIT))).containsExactly("b", "c", "d");

    second.ack(3, true);
    assertThat(List.of(a, b, c, d)).allSatisfy(future -> assertThat(future).isCompleted());
  }

  @Test
  void aSendThatFailsMidBatchIsRepeatedWithTheRestInOrder() throws Exception {
    start(PublisherSettings.defaults());
    FakeChannel first = nextChannel();
    first.failPublishAt(2);
    List<CompletableFuture<Void>> futures = List.of(publish("a"), publish("b"), publish("c"));

    FakeChannel second = nextChannel();
    List<Published> resent = second.awaitPublished(3, WAIT);

    assertThat(ids(first.published())).containsExactly("a");
    assertThat(ids(resent)).containsExactly("a", "b", "c");
    second.ack(3, true);
    assertThat(futures).allSatisfy(future -> assertThat(future).isCompleted());
  }

  @Test
  void aBufferedEventFailsAtItsDeadline() {
    connected = false;
    start(PublisherSettings.builder().timeout(Duration.ofSeconds(2)).build());
    CompletableFuture<Void> a = publish("a");

    scheduler.advance(Duration.ofMillis(1_900));
    assertThat(a).isNotDone();
    scheduler.advance(Duration.ofMillis(200));

    failure(a)
        .isInstanceOf(PublishNotConfirmedException.class)
        .withMessageContaining("could not be sent within PT2S")
        .withMessageContaining("publishing connection recovering");
    assertThat(publisher.bufferedEvents()).isZero();
    assertThat(publisher.bufferedBytes()).isZero();
  }

  @Test
  void anOutstandingEventFailsAtItsDeadlineAndALateConfirmIsIgnored() throws Exception {
    start(PublisherSettings.builder().timeout(Duration.ofSeconds(2)).build());
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();
    channel.awaitPublished(1, WAIT);

    scheduler.advance(Duration.ofMillis(2_100));

    failure(a)
        .isInstanceOf(PublishNotConfirmedException.class)
        .withMessageContaining("was not confirmed within PT2S");
    assertThat(publisher.outstandingConfirms()).isZero();
    channel.ack(1, false);
    assertThat(a).isCompletedExceptionally();
  }

  @Test
  void closeFailsWhatIsNotConfirmedClosesTheChannelAndRefusesMore() throws Exception {
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");
    CompletableFuture<Void> b = publish("b");
    FakeChannel channel = nextChannel();
    channel.awaitPublished(2, WAIT);
    channel.ack(1, false);

    publisher.close(Duration.ZERO);

    assertThat(a).isCompleted();
    failure(b)
        .isInstanceOf(PublishNotConfirmedException.class)
        .withMessageContaining("the transport closed before it was confirmed");
    assertThat(channel.isOpen()).isFalse();
    failure(publish("late"))
        .isInstanceOf(PublishNotConfirmedException.class)
        .withMessageContaining("the transport is closed");
  }

  @Test
  void closeFailsEventsStillBufferedWhenNoConnectionCameUp() {
    connected = false;
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");

    publisher.close(Duration.ZERO);

    failure(a).withMessageContaining("the transport closed before it was confirmed");
    assertThat(publisher.bufferedEvents()).isZero();
  }

  @Test
  void closeWaitsForTheOutstandingConfirms() throws Exception {
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();
    channel.awaitPublished(1, WAIT);

    Thread closing = new Thread(() -> publisher.close(Duration.ofMinutes(1)), "test-close");
    closing.start();
    awaitWaiting(closing);
    assertThat(publish("late")).isCompletedExceptionally();
    channel.ack(1, false);
    closing.join(WAIT.toMillis());

    assertThat(closing.isAlive()).as("close returned after the last confirm").isFalse();
    assertThat(a).isCompleted();
  }

  /**
   * Waits until {@code thread} waits with a timeout: in close, that is only the wait for the
   * outstanding confirms (the clock is frozen, so it cannot end by its deadline).
   */
  private static void awaitWaiting(Thread thread) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (thread.getState() != Thread.State.TIMED_WAITING) {
      assertThat(System.nanoTime() - deadline).as("close waited within %s", WAIT).isNegative();
      Thread.onSpinWait();
    }
  }

  @Test
  void eventsFromSeveralThreadsAreEachSentOnce() throws Exception {
    start(PublisherSettings.defaults());
    FakeChannel channel = nextChannel();
    List<Future<List<CompletableFuture<Void>>>> workers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      workers.add(
          CompletableFuture.supplyAsync(
              () -> {
                List<CompletableFuture<Void>> futures = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                  futures.add(publish(thread + "-" + i));
                }
                return futures;
              }));
    }
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Future<List<CompletableFuture<Void>>> worker : workers) {
      all.addAll(worker.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    List<Published> sent = channel.awaitPublished(4_000, WAIT);
    channel.ack(sent.get(sent.size() - 1).sequence(), true);

    assertThat(new HashSet<>(ids(sent))).hasSize(4_000);
    assertThat(all).allSatisfy(future -> assertThat(future).isCompleted());
  }
}
