package io.eventbus.rabbitmq.internal;

import io.eventbus.Health;
import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.spi.SubscriptionSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Judges the health of one {@link RabbitSubscription} from what its consumers record (whether each
 * slot is consuming, when it last received or finished a delivery) and the queue depths the
 * transport's health thread samples through {@link #sample}.
 *
 * <p>A queue that has had ready messages for longer than the spec's stall timeout while none of its
 * slots made progress is stalled. A single-active-consumer queue (ordered, partitioned) is judged
 * only by a slot that has received something on its current channel, since a standby instance
 * legitimately receives nothing. {@link #sample} runs on the health thread only; {@link #judge} on
 * any thread.
 */
final class SubscriptionHealth {
  private final SubscriptionSpec spec;
  private final AtomicReferenceArray<ConsumerSlot> slots;
  private final Deliveries deliveries;
  private final Map<String, QueueDepth> depths = new LinkedHashMap<>();

  SubscriptionHealth(
      SubscriptionSpec spec,
      List<String> queues,
      AtomicReferenceArray<ConsumerSlot> slots,
      Deliveries deliveries) {
    this.spec = spec;
    this.slots = slots;
    this.deliveries = deliveries;
    for (String queue : queues) {
      depths.putIfAbsent(queue, new QueueDepth());
    }
  }

  /** The last sampled depth of one queue and since when it has been above zero. */
  private static final class QueueDepth {
    volatile long ready = -1;
    volatile long readySinceNanos; // 0: not ready at the last sample
  }

  /** Samples the depth of each of the subscription's queues; on the health thread only. */
  void sample(QueueSampler sampler) {
    depths.forEach(
        (queue, depth) -> {
          long ready = sampler.ready(queue);
          long now = System.nanoTime();
          if (ready > 0) {
            if (depth.readySinceNanos == 0) {
              depth.readySinceNanos = now;
            }
          } else {
            depth.readySinceNanos = 0;
          }
          depth.ready = ready;
        });
  }

  /** The subscription's health, given its state: closed, set up on a connection, paused. */
  Health.Component judge(boolean closed, boolean setUp, boolean paused) {
    String name = "subscription:" + spec.name();
    Map<String, Object> details = new LinkedHashMap<>();
    int active = 0;
    long lastProgress = 0;
    for (int i = 0; i < slots.length(); i++) {
      ConsumerSlot slot = slots.get(i);
      if (slot != null && slot.consuming && slot.getChannel().isOpen()) {
        active++;
      }
      if (slot != null) {
        lastProgress = Math.max(lastProgress, slot.lastProgressNanos);
      }
    }
    long ready = 0;
    for (QueueDepth depth : depths.values()) {
      ready = depth.ready < 0 || ready < 0 ? -1 : ready + depth.ready;
    }
    long now = System.nanoTime();
    details.put("consumers", slots.length());
    details.put("activeConsumers", active);
    details.put("inFlight", deliveries.inFlight());
    details.put("readyMessages", ready);
    details.put("paused", paused);
    if (lastProgress != 0) {
      details.put("sinceLastDelivery", Duration.ofNanos(now - lastProgress));
    }
    if (closed) {
      return new Health.Component(name, Health.Status.DOWN, "closed", details);
    }
    if (!setUp) {
      return new Health.Component(
          name, Health.Status.DOWN, "the consuming connection is recovering", details);
    }
    if (paused) {
      return new Health.Component(name, Health.Status.UP, "", details);
    }
    if (active < slots.length()) {
      return new Health.Component(
          name,
          Health.Status.DOWN,
          active
              + " of "
              + slots.length()
              + " consumers active: the broker cancelled or closed the others; re-opening them",
          details);
    }
    String stalled = stalled(now);
    if (stalled != null) {
      return new Health.Component(name, Health.Status.DOWN, stalled, details);
    }
    return new Health.Component(name, Health.Status.UP, "", details);
  }

  private @Nullable String stalled(long now) {
    long limit = spec.stallTimeout().toNanos();
    for (Map.Entry<String, QueueDepth> entry : depths.entrySet()) {
      QueueDepth depth = entry.getValue();
      long since = depth.readySinceNanos;
      if (depth.ready <= 0 || since == 0 || now - since < limit) {
        continue;
      }
      long progress = 0;
      boolean judged = spec.ordering() == Ordering.NONE;
      for (int i = 0; i < slots.length(); i++) {
        ConsumerSlot slot = slots.get(i);
        if (slot != null && slot.queue.equals(entry.getKey())) {
          progress = Math.max(progress, slot.lastProgressNanos);
          judged |= slot.delivered;
        }
      }
      if (judged && now - progress >= limit) {
        return "stalled: "
            + depth.ready
            + " messages ready in "
            + entry.getKey()
            + " for "
            + Duration.ofNanos(now - since).toMillis()
            + " ms and nothing delivered for "
            + Duration.ofNanos(now - progress).toMillis()
            + " ms ("
            + deliveries.inFlight()
            + " handlers running)";
      }
    }
    return null;
  }
}
