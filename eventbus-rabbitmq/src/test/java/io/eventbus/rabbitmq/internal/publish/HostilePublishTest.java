package io.eventbus.rabbitmq.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import io.eventbus.EventTooLargeException;
import io.eventbus.Health;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.PublishRefusedException;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.internal.FakeChannel;
import io.eventbus.rabbitmq.internal.FakeChannel.Published;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the broker or a message can do to the publisher: permanent refusals, events over the size
 * limits, a client that throws mid-publish, a sender thread that dies. Against a {@link
 * FakeChannel} playing the broker and a {@link ManualScheduler} playing time.
 */
class HostilePublishTest extends PublisherTestSupport {
  /** Waits until the sender has handled {@code count} refusals (and set its back-off). */
  private void awaitRefusals(int count) {
    io.eventbus.testkit.Await.until(
        WAIT, () -> refusals.size() >= count, count + " refusals handled by the sender");
  }

  @Test
  void aBodyOverTheMaximumFailsAtOnceAndNothingIsSent() throws Exception {
    start(PublisherSettings.builder().maxMessageBytes(1_000).build());

    CompletableFuture<Void> large = publish("large", new byte[1_001], Map.of());
    CompletableFuture<Void> small = publish("small");

    assertThat(large).isCompletedExceptionally();
    failure(large)
        .isInstanceOf(EventTooLargeException.class)
        .withMessageContaining(
            "body of 1001 bytes is over PublisherSettings.maxMessageBytes of 1000");
    FakeChannel channel = nextChannel();
    assertThat(ids(channel.awaitPublished(1, WAIT))).containsExactly("small");
    channel.ack(1, false);
    assertThat(small).succeedsWithin(WAIT);
  }

  @Test
  void aBodyLargerThanTheWholeBufferIsTooLargeNotBufferFull() {
    start(PublisherSettings.builder().maxBufferedBytes(500).maxMessageBytes(1_000).build());

    CompletableFuture<Void> large = publish("large", new byte[800], Map.of());

    failure(large)
        .isInstanceOf(EventTooLargeException.class)
        .withMessageContaining("over PublisherSettings.maxBufferedBytes of 500");
  }

  @Test
  void headersThatDoNotFitAFrameFailAtOnceWithTheirSize() throws Exception {
    start(PublisherSettings.defaults());

    CompletableFuture<Void> huge = publish("huge", new byte[1], Map.of("big", "x".repeat(140_000)));

    failure(huge)
        .isInstanceOf(EventTooLargeException.class)
        .withMessageContaining("frame size of 131072 bytes")
        .satisfies(e -> assertThat(((EventTooLargeException) e).size()).isGreaterThan(140_000));
  }

  @Test
  void aSmallerFrameOnTheConnectionFailsOnlyTheEventThatDoesNotFitItAndKeepsTheChannel()
      throws Exception {
    connected = false;
    start(PublisherSettings.defaults());
    CompletableFuture<Void> first = publish("first");
    CompletableFuture<Void> wide = publish("wide", new byte[1], Map.of("h", "y".repeat(10_000)));
    CompletableFuture<Void> after = publish("after");
    frameMax = 8_192; // the connection that comes up negotiated a small frame_max
    connected = true;
    FakeChannel channel = nextChannel();

    List<Published> sent = channel.awaitPublished(2, WAIT);
    assertThat(ids(sent)).containsExactly("first", "after");
    assertThat(sent.get(1).sequence()).as("no sequence number was skipped").isEqualTo(2);
    channel.ack(2, true);
    assertThat(first).succeedsWithin(WAIT);
    assertThat(after).succeedsWithin(WAIT);
    failure(wide).isInstanceOf(EventTooLargeException.class);
    assertThat(opened).isEmpty();
  }

  @Test
  void aClientThatThrowsMidPublishFailsThatEventAndTheRestGoOutOnAFreshChannel() throws Exception {
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");
    FakeChannel first = nextChannel();
    first.awaitPublished(1, WAIT);
    first.failNextPublishWith(new IllegalArgumentException("Content headers exceeded max"));

    CompletableFuture<Void> b = publish("b");
    FakeChannel second = nextChannel();
    CompletableFuture<Void> c = publish("c");

    failure(b)
        .isInstanceOf(PublishNotConfirmedException.class)
        .withMessageContaining("the client could not send it")
        .withMessageContaining("Content headers exceeded max");
    assertThat(first.isOpen()).as("the channel whose sequence numbers slipped").isFalse();
    List<Published> resent = second.awaitPublished(2, WAIT);
    assertThat(ids(resent)).containsExactly("a", "c");
    second.ack(2, true);
    assertThat(a).succeedsWithin(WAIT);
    assertThat(c).succeedsWithin(WAIT);
  }

  @Test
  void aRefusalFailsOnlyTheRefusedEventFoundBySendingTheSuspectsOneAtATime() throws Exception {
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");
    CompletableFuture<Void> b = publish("b");
    CompletableFuture<Void> c = publish("c");
    FakeChannel first = nextChannel();
    first.awaitPublished(3, WAIT);

    first.refuse(406, "PRECONDITION_FAILED - message size 2000 is larger than configured max");
    awaitRefusals(1);
    scheduler.advance(Sender.FIRST_REFUSAL_BACKOFF);
    FakeChannel second = nextChannel();
    assertThat(ids(second.awaitPublished(1, WAIT))).containsExactly("a");
    second.ack(1, false);
    assertThat(ids(second.awaitPublished(2, WAIT))).containsExactly("a", "b");
    assertThat(second.published()).as("one at a time").hasSize(2);
    second.refuse(406, "PRECONDITION_FAILED - message size 2000 is larger than configured max");
    awaitRefusals(2);
    scheduler.advance(Sender.FIRST_REFUSAL_BACKOFF.multipliedBy(2));
    FakeChannel third = nextChannel();
    assertThat(ids(third.awaitPublished(1, WAIT))).containsExactly("c");
    third.ack(1, false);

    assertThat(a).succeedsWithin(WAIT);
    assertThat(c).succeedsWithin(WAIT);
    failure(b)
        .isInstanceOf(PublishRefusedException.class)
        .withMessageContaining("406 PRECONDITION_FAILED")
        .satisfies(
            e -> {
              PublishRefusedException refused = (PublishRefusedException) e;
              assertThat(refused.replyCode()).isEqualTo(406);
              assertThat(refused.eventId()).isEqualTo("b");
              assertThat(refused.replyText()).startsWith("PRECONDITION_FAILED");
            });
    assertThat(refusals).hasSize(2).allSatisfy(r -> assertThat(r).startsWith("406 "));
    assertThat(publisher.refusedByBroker()).isEqualTo(1);
  }

  @Test
  void noChannelIsOpenedAgainBeforeTheBackOffAfterARefusal() throws Exception {
    start(PublisherSettings.defaults());
    publish("a");
    FakeChannel first = nextChannel();
    first.awaitPublished(1, WAIT);

    first.refuse(404, "NOT_FOUND - no exchange 'bus' in vhost '/'");
    awaitRefusals(1);

    assertThat(opened.poll(300, TimeUnit.MILLISECONDS))
        .as("a channel opened before the back-off passed")
        .isNull();
    scheduler.advance(Sender.FIRST_REFUSAL_BACKOFF);
    assertThat(ids(nextChannel().awaitPublished(1, WAIT))).containsExactly("a");
    assertThat(refusals).containsExactly("404 NOT_FOUND - no exchange 'bus' in vhost '/'");
  }

  @Test
  void aSenderThreadThatDiesIsReportedDownAndRestartedAndLosesNothing() throws Exception {
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();
    channel.awaitPublished(1, WAIT);
    channel.failNextSequenceWith(new IllegalStateException("a bug in the sender's way"));

    CompletableFuture<Void> b = publish("b");

    Health.Component down =
        io.eventbus.testkit.Await.until(
            WAIT, supervisor::health, c -> c.status() == Health.Status.DOWN, "threads DOWN");
    assertThat(down.detail())
        .contains("the publisher's sender thread died and is being restarted")
        .contains("IllegalStateException: a bug in the sender's way");
    int sweepOnly = 1;
    io.eventbus.testkit.Await.until(
        WAIT, () -> scheduler.pending() > sweepOnly, "the restart to be scheduled");
    scheduler.advance(Duration.ofMillis(100));
    assertThat(ids(channel.awaitPublished(2, WAIT))).containsExactly("a", "b");
    channel.ack(2, true);
    assertThat(a).succeedsWithin(WAIT);
    assertThat(b).succeedsWithin(WAIT);
    assertThat(supervisor.health().status()).isEqualTo(Health.Status.UP);
    assertThat(supervisor.restarts()).isEqualTo(1);
  }

  @Test
  void theDeadlineSweepKeepsItsScheduleWhenItThrows() {
    Runnable failing =
        supervisor.periodic(
            "a sweep",
            () -> {
              throw new IllegalStateException("sweep bug");
            });

    failing.run();
    failing.run();

    assertThat(supervisor.health().status()).isEqualTo(Health.Status.DOWN);
    assertThat(supervisor.health().detail()).contains("a sweep failed").contains("sweep bug");
    assertThat(supervisor.health().details()).containsEntry("taskFailures", 2L);
  }

  @Test
  void aCopyThatNoQueueTakesFailsEvenWhenUnroutableEventsAreAccepted() throws Exception {
    start(PublisherSettings.defaults());
    CompletableFuture<Void> copy =
        publisher.publishCopy(
            "",
            "orders.dlq",
            new AMQP.BasicProperties.Builder().messageId("parked").build(),
            new byte[1],
            "parked",
            TYPE);
    CompletableFuture<Void> event = publish("event");
    FakeChannel channel = nextChannel();
    List<Published> sent = channel.awaitPublished(2, WAIT);

    channel.returnUnroutable(sent.get(0));
    channel.returnUnroutable(sent.get(1));
    channel.ack(2, true);

    failure(copy).isInstanceOf(io.eventbus.UnroutableEventException.class);
    assertThat(event).succeedsWithin(WAIT);
    assertThat(publisher.unroutableAccepted()).isEqualTo(1);
  }
}
