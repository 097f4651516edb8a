package io.eventbus.rabbitmq.internal.publish;

import static io.eventbus.rabbitmq.internal.publish.PublishBufferTest.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutstandingConfirmsTest {
  private final OutstandingConfirms outstanding = new OutstandingConfirms();

  private static List<String> ids(List<Publish> publishes) {
    return publishes.stream().map(p -> p.eventId).toList();
  }

  private static Publish to(String id, String exchange, String routingKey) {
    return new Publish(
        exchange,
        routingKey,
        new AMQP.BasicProperties.Builder().messageId(id).build(),
        new byte[1],
        id,
        routingKey,
        Long.MAX_VALUE,
        false);
  }

  @Test
  void aSingleConfirmRemovesOnlyItsEvent() {
    outstanding.add(1, publish("a"));
    outstanding.add(2, publish("b"));

    assertThat(ids(outstanding.remove(2, false))).containsExactly("b");
    assertThat(outstanding.remove(2, false)).isEmpty();
    assertThat(outstanding.size()).isEqualTo(1);
  }

  @Test
  void aMultipleConfirmRemovesEverythingUpToItsTagInOrder() {
    for (int i = 1; i <= 5; i++) {
      outstanding.add(i, publish("e" + i));
    }
    outstanding.remove(2, false);

    assertThat(ids(outstanding.remove(4, true))).containsExactly("e1", "e3", "e4");
    assertThat(ids(outstanding.removeAll())).containsExactly("e5");
    assertThat(outstanding.size()).isZero();
  }

  @Test
  void aReturnMarksTheEventWithItsIdExchangeAndRoutingKey() {
    Publish routed = to("a", "bus", "order.placed.v1");
    Publish returned = to("b", "bus", "order.placed.v1");
    outstanding.add(1, routed);
    outstanding.add(2, returned);

    assertThat(outstanding.markReturned("b", "bus", "order.placed.v1", "312 NO_ROUTE")).isTrue();

    assertThat(returned.returnedWith).isEqualTo("312 NO_ROUTE");
    assertThat(routed.returnedWith).isNull();
  }

  @Test
  void eventsSharingAnIdAreReturnedEarliestFirst() {
    Publish first = to("same", "bus", "t");
    Publish other = to("other", "bus", "t");
    Publish second = to("same", "bus", "t");
    Publish third = to("same", "bus", "t");
    outstanding.add(7, first);
    outstanding.add(8, other);
    outstanding.add(9, second);
    outstanding.add(10, third);

    assertThat(outstanding.markReturned("same", "bus", "t", "312 NO_ROUTE")).isTrue();
    assertThat(outstanding.markReturned("same", "bus", "t", "312 NO_ROUTE")).isTrue();

    assertThat(first.returnedWith).isNotNull();
    assertThat(second.returnedWith).isNotNull();
    assertThat(third.returnedWith).isNull();
    assertThat(other.returnedWith).isNull();
  }

  @Test
  void aReturnMatchesOnlyTheSameExchangeAndRoutingKey() {
    Publish elsewhere = to("same", "bus", "order.placed.v1");
    Publish retryQueue = to("same", "", "shipping.retry.1000");
    outstanding.add(1, elsewhere);
    outstanding.add(2, retryQueue);

    assertThat(outstanding.markReturned("same", "", "shipping.retry.1000", "312 NO_ROUTE"))
        .isTrue();

    assertThat(retryQueue.returnedWith).isNotNull();
    assertThat(elsewhere.returnedWith).isNull();
  }

  @Test
  void aReturnForAnUnknownOrConfirmedEventMatchesNothing() {
    Publish confirmed = to("a", "bus", "t");
    outstanding.add(1, confirmed);
    outstanding.remove(1, false);

    assertThat(outstanding.markReturned("a", "bus", "t", "312 NO_ROUTE")).isFalse();
    assertThat(outstanding.markReturned("never-sent", "bus", "t", "312 NO_ROUTE")).isFalse();
    assertThat(outstanding.markReturned(null, "bus", "t", "312 NO_ROUTE")).isFalse();
  }

  @Test
  void theIndexForgetsEachOfSeveralEventsWithOneIdAsTheyAreConfirmed() {
    Publish first = to("same", "bus", "t");
    Publish second = to("same", "bus", "t");
    Publish third = to("same", "bus", "t");
    outstanding.add(1, first);
    outstanding.add(2, second);
    outstanding.add(3, third);

    outstanding.remove(2, false);
    outstanding.remove(1, false);

    assertThat(outstanding.markReturned("same", "bus", "t", "312 NO_ROUTE")).isTrue();
    assertThat(third.returnedWith).isNotNull();
    outstanding.remove(3, false);
    assertThat(outstanding.markReturned("same", "bus", "t", "312 NO_ROUTE")).isFalse();
  }

  @Test
  void anOrdinarySweepStopsAtTheFirstLiveEventAndAFullOneLooksAtAll() {
    outstanding.add(1, publish("expired", 1, 100));
    outstanding.add(2, publish("live", 1, 500));
    outstanding.add(3, publish("resent-expired", 1, 90));

    assertThat(ids(outstanding.removeExpired(200, false))).containsExactly("expired");
    assertThat(ids(outstanding.removeExpired(200, true))).containsExactly("resent-expired");
    assertThat(ids(outstanding.removeAll())).containsExactly("live");
  }

  @Test
  void nothingIsIndexedWhileNothingIsReturned() {
    for (int i = 1; i <= 1_000; i++) {
      outstanding.add(i, publish("e" + i));
    }
    outstanding.remove(1_000, true);

    assertThat(outstanding.indexedIds()).isZero();
  }

  @Test
  void aReturnIndexesWhatWasSentSinceAndConfirmsEmptyTheIndexAgain() {
    for (int i = 1; i <= 10; i++) {
      outstanding.add(i, to("e" + i, "bus", "t"));
    }

    assertThat(outstanding.markReturned("e4", "bus", "t", "312 NO_ROUTE")).isTrue();
    assertThat(outstanding.indexedIds()).isEqualTo(10);
    outstanding.add(11, to("e11", "bus", "t"));
    assertThat(outstanding.markReturned("e11", "bus", "t", "312 NO_ROUTE")).isTrue();

    outstanding.remove(11, true);
    assertThat(outstanding.indexedIds()).isZero();
  }

  @Test
  void afterALostChannelSequenceNumbersStartAgainAndReturnsStillFindTheirEvent() {
    outstanding.add(1, to("old-1", "bus", "t"));
    outstanding.add(2, to("old-2", "bus", "t"));
    outstanding.markReturned("old-2", "bus", "t", "312 NO_ROUTE");
    outstanding.removeAll();

    Publish resent = to("old-1", "bus", "t");
    outstanding.add(1, resent);

    assertThat(outstanding.markReturned("old-1", "bus", "t", "312 NO_ROUTE")).isTrue();
    assertThat(resent.returnedWith).isEqualTo("312 NO_ROUTE");
  }

  @Test
  void anOldUnconfirmedEventSurvivesTheRingGrowingPastThousandsOfLaterOnes() {
    outstanding.add(1, publish("old"));
    for (int i = 2; i <= 5_000; i++) {
      outstanding.add(i, publish("e" + i));
      if (i % 10 == 0) {
        outstanding.remove(i, false);
      }
    }
    // Confirms of everything after the old one, one by one and in a multiple ack that skips it.
    for (int i = 2; i <= 4_000; i++) {
      outstanding.remove(i, false);
    }

    assertThat(outstanding.size()).isEqualTo(1 + 1_000 - 100);
    List<Publish> rest = outstanding.remove(5_000, true);
    assertThat(rest.get(0).eventId).isEqualTo("old");
    assertThat(ids(rest)).hasSize(1 + 1_000 - 100).doesNotHaveDuplicates();
    assertThat(outstanding.size()).isZero();
    assertThat(outstanding.remove(5_000, true)).isEmpty();
  }

  @Test
  void sequenceNumbersThatDoNotGrowAreRefusedWhileEventsAreOutstanding() {
    outstanding.add(7, publish("a"));

    assertThatThrownBy(() -> outstanding.add(7, publish("b")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(ids(outstanding.removeAll())).containsExactly("a");
    outstanding.add(1, publish("c")); // a new channel starts again from 1
    assertThat(ids(outstanding.remove(1, false))).containsExactly("c");
  }

  @Test
  void confirmsOfUnknownOrAlreadyConfirmedTagsRemoveNothing() {
    outstanding.add(3, publish("a"));
    outstanding.add(4, publish("b"));

    assertThat(outstanding.remove(2, true)).isEmpty();
    assertThat(outstanding.remove(5, false)).isEmpty();
    assertThat(ids(outstanding.remove(3, true))).containsExactly("a");
    assertThat(outstanding.remove(3, false)).isEmpty();
    assertThat(ids(outstanding.remove(9, true))).containsExactly("b");
  }

  @Test
  void aSenderAndAConfirmingThreadNeverLoseOrDuplicateAnEvent() throws Exception {
    int events = 200_000;
    java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
    java.util.Set<String> confirmed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.atomic.AtomicInteger duplicates =
        new java.util.concurrent.atomic.AtomicInteger();
    Thread sender =
        new Thread(
            () -> {
              for (int i = 1; i <= events; i++) {
                while (outstanding.size() >= 4_096) {
                  Thread.onSpinWait();
                }
                outstanding.add(i, publish("e" + i));
                sent.set(i);
              }
            });
    Thread confirmer =
        new Thread(
            () -> {
              java.util.Random random = new java.util.Random(42);
              long acked = 0;
              while (acked < events) {
                long upTo = sent.get();
                if (upTo <= acked) {
                  Thread.onSpinWait();
                  continue;
                }
                long tag = acked + 1 + random.nextInt((int) (upTo - acked));
                List<Publish> removed =
                    random.nextBoolean()
                        ? outstanding.remove(tag, true)
                        : outstanding.remove(tag, false);
                for (Publish publish : removed) {
                  if (!confirmed.add(publish.eventId)) {
                    duplicates.incrementAndGet();
                  }
                }
                if (random.nextInt(4) == 0) {
                  for (Publish publish : outstanding.remove(upTo, true)) {
                    if (!confirmed.add(publish.eventId)) {
                      duplicates.incrementAndGet();
                    }
                  }
                  acked = upTo;
                }
              }
            });
    sender.start();
    confirmer.start();
    sender.join(60_000);
    confirmer.join(60_000);

    assertThat(duplicates).hasValue(0);
    assertThat(confirmed).hasSize(events);
    assertThat(outstanding.size()).isZero();
  }
}
