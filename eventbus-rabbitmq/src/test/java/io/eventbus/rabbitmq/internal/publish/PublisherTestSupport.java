package io.eventbus.rabbitmq.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.eventbus.rabbitmq.ConnectionState;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.internal.DaemonThreads;
import io.eventbus.rabbitmq.internal.FakeChannel;
import io.eventbus.rabbitmq.internal.FakeChannel.Published;
import io.eventbus.rabbitmq.internal.ThreadSupervisor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssertAlternative;
import org.junit.jupiter.api.AfterEach;

/**
 * What the publisher's unit tests share: a {@link ConfirmingPublisher} started against {@link
 * FakeChannel}s playing the broker (one per connection, while {@link #connected}) and a {@link
 * ManualScheduler} playing time, and the helpers to publish and to read what was sent. The
 * transport's own subscriptions are played by {@link #ownTypes} and {@link #redeclarations}.
 */
abstract class PublisherTestSupport {
  static final Duration WAIT = FakeChannel.WAIT;
  static final String TYPE = "order.placed.v1";

  final ManualScheduler scheduler = new ManualScheduler();
  final ThreadSupervisor supervisor = new ThreadSupervisor(scheduler);
  final BlockingQueue<FakeChannel> opened = new LinkedBlockingQueue<>();
  final List<String> refusals = new CopyOnWriteArrayList<>();

  /** The routing keys on exchange {@code bus} that the transport's own subscriptions bind. */
  final Set<String> ownTypes = ConcurrentHashMap.newKeySet();

  /** How often the publisher had the topology declared again for returned events. */
  final AtomicInteger redeclarations = new AtomicInteger();

  volatile boolean connected = true;

  /** The frame_max the next channel's connection negotiated. */
  volatile int frameMax = 131_072;

  ConfirmingPublisher publisher;

  ConfirmingPublisher start(PublisherSettings settings) {
    publisher =
        new ConfirmingPublisher(
            settings,
            this::openChannel,
            () -> connected ? ConnectionState.CONNECTED : ConnectionState.RECOVERING,
            scheduler,
            Runnable::run,
            scheduler,
            new DaemonThreads("test-publisher"),
            supervisor,
            (code, text) -> refusals.add(code + " " + text),
            OwnTopology.of(
                (exchange, routingKey) -> exchange.equals("bus") && ownTypes.contains(routingKey),
                redeclarations::incrementAndGet),
            scheduler); // declarations run at once, on the thread that advances the time
    publisher.start();
    return publisher;
  }

  private Channel openChannel() {
    if (!connected) {
      return null;
    }
    FakeChannel channel = new FakeChannel();
    channel.frameMax(frameMax);
    opened.add(channel);
    return channel.channel();
  }

  FakeChannel nextChannel() throws InterruptedException {
    FakeChannel channel = opened.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(channel).as("a publishing channel was opened within %s", WAIT).isNotNull();
    return channel;
  }

  CompletableFuture<Void> publish(String id, byte[] body, Map<String, Object> headers) {
    return publisher.publish(
        "bus",
        TYPE,
        new AMQP.BasicProperties.Builder().messageId(id).headers(headers).build(),
        body,
        id,
        TYPE);
  }

  CompletableFuture<Void> publish(String id) {
    return publish(id, ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8), Map.of());
  }

  static List<String> ids(List<Published> published) {
    return published.stream().map(Published::messageId).toList();
  }

  static ThrowableAssertAlternative<?> failure(CompletableFuture<Void> future) {
    return assertThat(future)
        .failsWithin(WAIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause();
  }

  @AfterEach
  void closePublisher() {
    if (publisher != null) {
      publisher.close(Duration.ZERO);
    }
  }
}
