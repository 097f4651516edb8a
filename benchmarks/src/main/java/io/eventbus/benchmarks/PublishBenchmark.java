package io.eventbus.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBus;
import io.eventbus.EventMetadata;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Publishes the same events with the raw amqp-client (asynchronous confirms) and with eventbus, in
 * the same JVM, alternating, with the same outstanding-confirm window, to a fresh quorum and a
 * fresh classic queue per run, and prints throughput, their ratio, confirm latency, client CPU time
 * per event and peak heap.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests exec:java -Dexec.args="--events 200000 --rounds 3"
 * </pre>
 */
public final class PublishBenchmark {
  private static final String EXCHANGE = "eventbus.bench";
  private static final String ROUTING_KEY = "bench.order.placed.v1";

  /** Distinct events cycled through by every client, built before the clocks start. */
  static final BenchOrderPlaced[] EVENTS = events(1_024);

  /**
   * What the raw client does per event. {@code true} (the default, {@code --raw json}): what an
   * application must do to send the same message with amqp-client alone: encode the event with a
   * plain Jackson {@code ObjectMapper} and build the CloudEvents headers and properties with a new
   * id and time. {@code false} ({@code --raw bare}): send one pre-built body and one set of
   * properties again and again, the floor no application reaches (the baseline of the table in
   * issue #14).
   */
  static volatile boolean rawBuildsMessages = true;

  static final ObjectMapper PLAIN_JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private final String uri;
  private final int window;
  private final ConnectionFactory factory = new ConnectionFactory();

  PublishBenchmark(String uri, int window) throws Exception {
    this.uri = uri;
    this.window = window;
    factory.setUri(uri);
  }

  /** The raw client against eventbus: {@link PublishComparison} without Spring AMQP. */
  public static void main(String[] args) throws Exception {
    String[] withoutSpring = java.util.Arrays.copyOf(args, args.length + 2);
    withoutSpring[args.length] = "--spring";
    withoutSpring[args.length + 1] = "false";
    PublishComparison.main(withoutSpring);
  }

  /** The raw client: one channel, asynchronous confirms, a semaphore as the window. */
  Measurement.Result raw(String queueType, int events) throws Exception {
    String queue = declareQueue(queueType);
    Measurement measurement = new Measurement();
    byte[] body = body();
    AMQP.BasicProperties properties = properties();
    try (Connection connection = factory.newConnection("bench-raw")) {
      Channel channel = connection.createChannel();
      channel.confirmSelect();
      NavigableMap<Long, Long> sentAt = new ConcurrentSkipListMap<>();
      Semaphore permits = new Semaphore(window);
      CountDownLatch confirmed = new CountDownLatch(events);
      AtomicInteger nacked = new AtomicInteger();
      channel.addConfirmListener(
          new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
              settle(tag, multiple, false);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
              settle(tag, multiple, true);
            }

            private void settle(long tag, boolean multiple, boolean nack) {
              long now = System.nanoTime();
              Map<Long, Long> settled =
                  multiple ? sentAt.headMap(tag, true) : sentAt.subMap(tag, true, tag, true);
              int count = 0;
              for (Long start : settled.values()) {
                measurement.latencyMicros.recordValue((now - start) / 1_000);
                count++;
              }
              settled.clear();
              if (nack) {
                nacked.addAndGet(count);
              }
              permits.release(count);
              for (int i = 0; i < count; i++) {
                confirmed.countDown();
              }
            }
          });
      boolean build = rawBuildsMessages;
      measurement.start();
      for (int i = 0; i < events; i++) {
        permits.acquire();
        sentAt.put(channel.getNextPublishSeqNo(), System.nanoTime());
        if (build) {
          BenchOrderPlaced event = EVENTS[i % EVENTS.length];
          channel.basicPublish(
              EXCHANGE,
              ROUTING_KEY,
              true,
              handBuiltProperties(),
              PLAIN_JSON.writeValueAsBytes(event));
        } else {
          channel.basicPublish(EXCHANGE, ROUTING_KEY, true, properties, body);
        }
      }
      awaitOrFail(confirmed, "raw");
      measurement.stop();
      if (nacked.get() > 0) {
        throw new IllegalStateException(nacked.get() + " raw publishes were nacked");
      }
    }
    deleteQueue(queue, events);
    return measurement.result("amqp-client", queueType, events);
  }

  /** eventbus with the same window, enforced by the caller as the raw client does. */
  Measurement.Result eventbus(String queueType, int events) throws Exception {
    return eventbus(queueType, events, "eventbus", UnaryOperator.identity());
  }

  /**
   * The same run with the bus builder adjusted by {@code configure} (for example its
   * OpenTelemetry), its result labelled {@code label}.
   */
  Measurement.Result eventbus(
      String queueType, int events, String label, UnaryOperator<EventBus.Builder> configure)
      throws Exception {
    String queue = declareQueue(queueType);
    Measurement measurement = new Measurement();
    RabbitTransport transport =
        RabbitTransport.builder()
            .uri(uri)
            .connectionName("bench-eventbus")
            .topology(RabbitTopology.defaults().withExchange(EXCHANGE))
            .publisher(
                PublisherSettings.defaults()
                    .withTimeout(Duration.ofMinutes(2))
                    .withMaxOutstandingConfirms(window)
                    .withMaxBufferedEvents(window))
            .build();
    try (EventBus bus =
        configure
            .apply(
                EventBus.builder()
                    .transport(transport)
                    .source("/bench")
                    .register(BenchOrderPlaced.class))
            .build()) {
      Semaphore permits = new Semaphore(window);
      CountDownLatch confirmed = new CountDownLatch(events);
      AtomicInteger failed = new AtomicInteger();
      measurement.start();
      for (int i = 0; i < events; i++) {
        permits.acquire();
        long start = System.nanoTime();
        bus.publish(EVENTS[i % EVENTS.length])
            .whenComplete(
                (receipt, failure) -> {
                  measurement.latencyMicros.recordValue((System.nanoTime() - start) / 1_000);
                  if (failure != null) {
                    failed.incrementAndGet();
                  }
                  permits.release();
                  confirmed.countDown();
                });
      }
      awaitOrFail(confirmed, "eventbus");
      measurement.stop();
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " eventbus publishes failed");
      }
    }
    deleteQueue(queue, events);
    return measurement.result(label, queueType, events);
  }

  private static BenchOrderPlaced[] events(int count) {
    BenchOrderPlaced[] events = new BenchOrderPlaced[count];
    for (int i = 0; i < count; i++) {
      events[i] = BenchOrderPlaced.number(i);
    }
    return events;
  }

  /**
   * The properties and CloudEvents headers of one new event, built by hand as an application using
   * amqp-client alone would: a random id, the current time, the type and source.
   */
  static AMQP.BasicProperties handBuiltProperties() {
    String id = UUID.randomUUID().toString();
    Instant now = Instant.now();
    Map<String, Object> headers = new HashMap<>();
    headers.put("cloudEvents:specversion", "1.0");
    headers.put("cloudEvents:id", id);
    headers.put("cloudEvents:source", "/bench");
    headers.put("cloudEvents:type", ROUTING_KEY);
    headers.put("cloudEvents:time", now.toString());
    return new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .deliveryMode(2)
        .messageId(id)
        .type(ROUTING_KEY)
        .appId("/bench")
        .timestamp(new java.util.Date(now.toEpochMilli() / 1000 * 1000))
        .headers(headers)
        .build();
  }

  /** The body eventbus writes for event 0, so both clients send the same bytes. */
  byte[] body() throws Exception {
    return JacksonEventCodec.create().encode(BenchOrderPlaced.number(0));
  }

  /** The properties and headers eventbus writes, so both clients send the same frames. */
  static AMQP.BasicProperties properties() {
    EventMetadata metadata =
        EventMetadata.of(UUID.randomUUID().toString(), ROUTING_KEY, "/bench", Instant.now());
    Map<String, Object> headers = new LinkedHashMap<>(CloudEventsAttributes.toHeaders(metadata));
    WireMessage ignored = new WireMessage(new byte[0], JacksonEventCodec.CONTENT_TYPE, Map.of());
    return new AMQP.BasicProperties.Builder()
        .contentType(ignored.contentType())
        .deliveryMode(2)
        .messageId(metadata.id())
        .type(metadata.type())
        .appId(metadata.source())
        .headers(headers)
        .build();
  }

  private String declareQueue(String queueType) throws Exception {
    String queue = "bench-" + queueType + "-" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection connection = factory.newConnection("bench-admin");
        Channel channel = connection.createChannel()) {
      channel.exchangeDeclare(EXCHANGE, "topic", true);
      channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", queueType));
      channel.queueBind(queue, EXCHANGE, ROUTING_KEY);
    }
    return queue;
  }

  private void deleteQueue(String queue, int expected) throws Exception {
    try (Connection connection = factory.newConnection("bench-admin");
        Channel channel = connection.createChannel()) {
      long stored = channel.messageCount(queue);
      if (stored != expected) {
        throw new IllegalStateException(
            queue + " holds " + stored + " events, expected " + expected);
      }
      channel.queueDelete(queue);
    }
  }

  private static void awaitOrFail(CountDownLatch latch, String client) throws InterruptedException {
    if (!latch.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException(client + ": " + latch.getCount() + " events not confirmed");
    }
  }

  /** {@code --name value} command-line options. */
  static final class Options {
    private final Map<String, String> values = new HashMap<>();

    Options(String[] args) {
      for (int i = 0; i + 1 < args.length; i += 2) {
        values.put(args[i], args[i + 1]);
      }
    }

    String text(String name, String fallback) {
      return values.getOrDefault(name, fallback);
    }

    int number(String name, int fallback) {
      return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
    }
  }
}
