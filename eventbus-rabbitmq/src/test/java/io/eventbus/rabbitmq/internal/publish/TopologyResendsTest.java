package io.eventbus.rabbitmq.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.UnroutableEventException;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.internal.FakeChannel;
import io.eventbus.rabbitmq.internal.FakeChannel.Published;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What the confirm handling decides for an event the broker returns as unroutable while one of the
 * transport's own subscriptions is bound for its type ({@link TopologyResends}): declare the
 * topology again, once for a burst, off the I/O thread, and send the event again, at most twice.
 * Against a {@link FakeChannel} playing the broker (the test's thread is its I/O thread) and a
 * {@link ManualScheduler} playing time (declarations run when the test advances it).
 */
class TopologyResendsTest extends PublisherTestSupport {
  private static final Duration FIRST_BACKOFF =
      Duration.ofMillis(TopologyResends.FIRST_BACKOFF_MILLIS);

  /** Returns every one of {@code sent} as unroutable, then acks them all in one frame. */
  private static void returnAll(FakeChannel channel, List<Published> sent) throws Exception {
    for (Published message : sent) {
      channel.returnUnroutable(message);
    }
    channel.ack(sent.get(sent.size() - 1).sequence(), true);
  }

  @Test
  void aBurstOfReturnedEventsOfAnOwnTypeIsSentAgainAfterOneDeclarationAndThenConfirmed()
      throws Exception {
    ownTypes.add(TYPE);
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");
    CompletableFuture<Void> b = publish("b");
    CompletableFuture<Void> c = publish("c");
    FakeChannel channel = nextChannel();
    List<Published> sent = channel.awaitPublished(3, WAIT);

    channel.returnUnroutable(sent.get(0));
    channel.ack(sent.get(0).sequence(), false); // a confirm frame of its own
    returnAll(channel, sent.subList(1, 3));

    // Nothing is declared on the I/O thread (here: the test's own), nor judged yet.
    assertThat(redeclarations).hasValue(0);
    assertThat(List.of(a, b, c)).noneMatch(CompletableFuture::isDone);
    assertThat(publisher.unroutableAccepted()).isZero();

    scheduler.advance(FIRST_BACKOFF);

    assertThat(redeclarations).as("one declaration for the whole burst").hasValue(1);
    List<Published> again = channel.awaitPublished(6, WAIT);
    assertThat(ids(again)).containsExactly("a", "b", "c", "a", "b", "c");
    assertThat(publisher.topologyResends()).isEqualTo(3);
    channel.ack(again.get(5).sequence(), true);
    assertThat(a).succeedsWithin(WAIT);
    assertThat(b).succeedsWithin(WAIT);
    assertThat(c).succeedsWithin(WAIT);
    assertThat(publisher.unroutableAccepted()).isZero();
    assertThat(publisher.unroutable().byType()).isEmpty();
  }

  @Test
  void inStrictModeAReturnedEventOfAnOwnTypeSucceedsOnceSentAgain() throws Exception {
    ownTypes.add(TYPE);
    start(PublisherSettings.defaults().withFailUnroutable(true));
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();
    returnAll(channel, channel.awaitPublished(1, WAIT));

    scheduler.advance(FIRST_BACKOFF);
    List<Published> again = channel.awaitPublished(2, WAIT);
    channel.ack(again.get(1).sequence(), false);

    assertThat(a).succeedsWithin(WAIT);
    assertThat(redeclarations).hasValue(1);
    assertThat(publisher.topologyResends()).isEqualTo(1);
  }

  @Test
  void anEventReturnedAfterItsLastResendIsAcceptedAndCountedAsBefore() throws Exception {
    ownTypes.add(TYPE);
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();

    returnAll(channel, channel.awaitPublished(1, WAIT));
    scheduler.advance(FIRST_BACKOFF);
    returnAll(channel, channel.awaitPublished(2, WAIT).subList(1, 2));
    assertThat(a).isNotDone();
    scheduler.advance(FIRST_BACKOFF); // the second declaration follows the first: it waits longer
    assertThat(redeclarations).as("the back-off doubled").hasValue(1);
    scheduler.advance(FIRST_BACKOFF);
    assertThat(redeclarations).hasValue(2);
    returnAll(channel, channel.awaitPublished(3, WAIT).subList(2, 3));

    assertThat(a).succeedsWithin(WAIT);
    assertThat(publisher.topologyResends()).isEqualTo(TopologyResends.MAX_RESENDS);
    assertThat(publisher.unroutableAccepted()).isEqualTo(1);
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(redeclarations).hasValue(2);
    assertThat(channel.published()).hasSize(3);
  }

  @Test
  void inStrictModeAnEventReturnedAfterItsLastResendFailsAsUnroutable() throws Exception {
    ownTypes.add(TYPE);
    start(PublisherSettings.defaults().withFailUnroutable(true));
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();

    for (int send = 1; send <= TopologyResends.MAX_RESENDS; send++) {
      returnAll(channel, channel.awaitPublished(send, WAIT).subList(send - 1, send));
      scheduler.advance(Duration.ofSeconds(3)); // past any back-off
    }
    returnAll(channel, channel.awaitPublished(3, WAIT).subList(2, 3));

    failure(a).isInstanceOf(UnroutableEventException.class).withMessageContaining("312 NO_ROUTE");
    assertThat(publisher.topologyResends()).isEqualTo(2);
  }

  @Test
  void aReturnedEventOfATypeNoOwnSubscriptionIsBoundForIsAcceptedAtOnceWithoutADeclaration()
      throws Exception {
    ownTypes.add("some.other.type.v1");
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();

    returnAll(channel, channel.awaitPublished(1, WAIT));

    assertThat(a).succeedsWithin(WAIT);
    assertThat(publisher.unroutableAccepted()).isEqualTo(1);
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(redeclarations).hasValue(0);
    assertThat(publisher.topologyResends()).isZero();
    assertThat(channel.published()).hasSize(1);
  }

  @Test
  void aReturnedCopyFailsAsUnroutableAtOnceEvenForAnOwnType() throws Exception {
    ownTypes.add(TYPE);
    start(PublisherSettings.defaults());
    CompletableFuture<Void> copy =
        publisher.publishCopy(
            "bus",
            TYPE,
            new AMQP.BasicProperties.Builder().messageId("copy").build(),
            new byte[1],
            "copy",
            TYPE);
    FakeChannel channel = nextChannel();

    returnAll(channel, channel.awaitPublished(1, WAIT));

    failure(copy).isInstanceOf(UnroutableEventException.class);
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(redeclarations).hasValue(0);
    assertThat(publisher.topologyResends()).isZero();
  }

  @Test
  void anEventWaitingForTheDeclarationKeepsItsDeadline() throws Exception {
    ownTypes.add(TYPE);
    start(PublisherSettings.defaults().withTimeout(Duration.ofMillis(30)));
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();
    returnAll(channel, channel.awaitPublished(1, WAIT));

    // The sweep (due with the declaration, and scheduled before it) finds it expired.
    scheduler.advance(FIRST_BACKOFF);

    failure(a)
        .isInstanceOf(PublishNotConfirmedException.class)
        .withMessageContaining("not confirmed within");
    assertThat(redeclarations).hasValue(1);
    assertThat(publisher.topologyResends()).isZero();
    assertThat(channel.published()).hasSize(1);
  }

  @Test
  void closeFailsTheEventsWaitingForTheDeclaration() throws Exception {
    ownTypes.add(TYPE);
    start(PublisherSettings.defaults());
    CompletableFuture<Void> a = publish("a");
    FakeChannel channel = nextChannel();
    returnAll(channel, channel.awaitPublished(1, WAIT));

    publisher.close(Duration.ZERO);

    failure(a).isInstanceOf(PublishNotConfirmedException.class).withMessageContaining("closed");
    scheduler.advance(FIRST_BACKOFF); // the declaration still runs, and finds nothing to send
    assertThat(channel.published()).hasSize(1);
  }
}
