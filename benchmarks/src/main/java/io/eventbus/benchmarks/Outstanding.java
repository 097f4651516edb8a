package io.eventbus.benchmarks;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;

/**
 * The raw client's publishes awaiting confirms on one channel, bounded by a window: {@link
 * #publish} takes a permit and records the sequence number; a confirm (single or multiple, ack or
 * nack) settles the numbers it covers and returns their permits.
 */
final class Outstanding {
  /** What to do with settled publishes: how many, and whether they were nacked. */
  @FunctionalInterface
  interface Listener {
    void settled(int count, boolean nacked);
  }

  private final NavigableSet<Long> sequenceNumbers = new ConcurrentSkipListSet<>();
  private final Semaphore permits;

  /** Puts {@code channel} in confirm mode and listens to its confirms. */
  Outstanding(Channel channel, int window, Listener listener) throws IOException {
    this.permits = new Semaphore(window);
    channel.confirmSelect();
    channel.addConfirmListener(
        (tag, multiple) -> listener.settled(settle(tag, multiple), false),
        (tag, multiple) -> listener.settled(settle(tag, multiple), true));
  }

  /** Waits for room in the window, then records the channel's next sequence number. */
  void beforePublish(Channel channel) throws InterruptedException {
    permits.acquire();
    sequenceNumbers.add(channel.getNextPublishSeqNo());
  }

  private int settle(long tag, boolean multiple) {
    NavigableSet<Long> settled =
        multiple
            ? sequenceNumbers.headSet(tag, true)
            : sequenceNumbers.subSet(tag, true, tag, true);
    int count = 0;
    while (settled.pollFirst() != null) {
      count++;
    }
    permits.release(count);
    return count;
  }
}
