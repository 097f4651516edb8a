package io.eventbus.rabbitmq;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;
import static io.eventbus.testkit.assertj.EventBusAssertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.PublishBufferFullException;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.PublishReceipt;
import io.eventbus.SubscriptionOptions;
import io.eventbus.UnroutableEventException;
import io.eventbus.rabbitmq.Traffic.LedgerHandler;
import io.eventbus.rabbitmq.Traffic.OrderPlaced;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.DeliveryLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher's and the consumers' promises under broker faults, on a private RabbitMQ node
 * (never the shared one): connections cut through a proxy, the node stopped and started, a memory
 * alarm, a frozen connection. Every run is judged by event id with the delivery ledger.
 */
class BrokerFaultsIT extends PrivateNodeFaultTest {
  private static final Logger log = LoggerFactory.getLogger(BrokerFaultsIT.class);
  private static final Duration SETTLE = Duration.ofSeconds(90);

  BrokerFaultsIT() {
    super("faults");
  }

  private RabbitTransport.Builder transport(String uri) {
    return RabbitTransport.builder()
        .uri(uri)
        .connectionName("faults")
        .topology(RabbitTopology.defaults().withExchange(exchange))
        // Strict routing: publishUntilRoutable tells a re-declared queue by the end of the
        // UnroutableEventExceptions.
        .publisher(
            PublisherSettings.defaults()
                .withTimeout(Duration.ofSeconds(60))
                .withFailUnroutable(true))
        .recoveryInterval(Duration.ofMillis(500))
        .shutdownTimeout(Duration.ofSeconds(5));
  }

  private EventBus bus(RabbitTransport transport, String subscription, DeliveryLedger ledger) {
    EventBus.Builder builder = EventBus.builder().transport(transport).register(OrderPlaced.class);
    if (subscription != null) {
      builder.subscribe(
          SubscriptionOptions.builder(subscription).concurrency(4).prefetch(50).build(),
          Handlers.scan(new LedgerHandler(ledger, subscription)));
    }
    EventBus bus = builder.build();
    closeables.add(bus);
    return bus;
  }

  private static void awaitStatus(RabbitTransport transport, Predicate<TransportStatus> condition) {
    Await.until(Duration.ofSeconds(30), transport::status, condition, "a transport status");
  }

  @Test
  void twentyThousandEventsFromFourThreadsSurviveConnectionCutsEverySecond() throws Exception {
    DeliveryLedger ledger = DeliveryLedger.create();
    String proxied = cutter.proxiedUri(node.uri());
    bus(transport(proxied).connectionName("faults-consumer").build(), "cuts", ledger);
    RabbitTransport publishing = transport(proxied).build();
    EventBus publisher = bus(publishing, null, ledger);
    ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor();
    chaos.scheduleAtFixedRate(cutter::cutAll, 1, 1, TimeUnit.SECONDS);
    try {
      Traffic.publish(publisher, ledger, 4, 5_000, 500);
    } finally {
      chaos.shutdownNow();
    }

    assertThat(ledger).hasConfirmed(20_000).within(SETTLE).lostNothing("cuts");
    DeliveryLedger.Report report = ledger.report("cuts");
    log.info(
        "Cuts: {} recoveries, {} re-sent; {}",
        publishing.status().recoveries(),
        publishing.status().resentAfterRecovery(),
        report);
    assertThat(report.publishFailed()).isZero();
    assertThat(publishing.status().recoveries()).isPositive();
  }

  @Test
  void confirmedEventsSurviveTheNodeStoppingAndStartingAgain() throws Exception {
    DeliveryLedger ledger = DeliveryLedger.create();
    bus(transport(node.uri()).connectionName("faults-consumer").build(), "restart", ledger);
    RabbitTransport publishing = transport(node.uri()).build();
    EventBus publisher = bus(publishing, null, ledger);
    AtomicBoolean restarted = new AtomicBoolean();
    AtomicInteger rounds = new AtomicInteger();
    CompletableFuture<Void> traffic =
        CompletableFuture.runAsync(
            () -> {
              try {
                // Keeps publishing, through the outage, until the node is back and a little after.
                while (!restarted.get() || rounds.get() < 20) {
                  Traffic.publish(publisher, ledger, 1, 200, 50);
                  rounds.incrementAndGet();
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    awaitLedger(ledger, report -> report.confirmed() >= 1_000);

    node.rabbitmqctl("stop_app");
    node.rabbitmqctl("start_app");
    restarted.set(true);
    traffic.get(3, TimeUnit.MINUTES);

    assertThat(ledger).hasConfirmed(rounds.get() * 200).within(SETTLE).lostNothing("restart");
    assertThat(publishing.status().recoveries()).isPositive();
    log.info("Restart: {} recoveries; {}", publishing.status(), ledger.report("restart"));
  }

  @Test
  void aMemoryAlarmMakesPublishesWaitAndFailAtTheirDeadlineUntilItClears() throws Exception {
    DeliveryLedger ledger = DeliveryLedger.create();
    bus(transport(node.uri()).connectionName("faults-consumer").build(), "alarm", ledger);
    RabbitTransport publishing =
        transport(node.uri())
            .publisher(
                PublisherSettings.defaults()
                    .withTimeout(Duration.ofSeconds(2))
                    .withFailUnroutable(true))
            .build();
    EventBus publisher = bus(publishing, null, ledger);
    publisher.publishAndWait(new OrderPlaced("before", 0));

    node.rabbitmqctl("set_vm_memory_high_watermark", "0");
    try {
      assertThatThrownBy(() -> publisher.publishAndWait(new OrderPlaced("during", 1)))
          .isInstanceOf(PublishNotConfirmedException.class)
          .hasMessageContaining("PT2S");
      awaitStatus(publishing, status -> status.publishing() == ConnectionState.BLOCKED);
      assertThatThrownBy(() -> publisher.publishAndWait(new OrderPlaced("while-blocked", 2)))
          .isInstanceOf(PublishNotConfirmedException.class)
          .hasMessageContaining("could not be sent within PT2S (publishing connection blocked");
    } finally {
      node.rabbitmqctl("set_vm_memory_high_watermark", "0.4");
    }

    awaitStatus(publishing, status -> status.publishing() == ConnectionState.CONNECTED);
    PublishReceipt after = publisher.publishAndWait(new OrderPlaced("after", 3));
    assertThat(after.eventId()).isNotBlank();
    assertThat(ledger).within(SETTLE).lostNothing("alarm");
  }

  @Test
  void aConfirmThatNeverArrivesFailsAtTheDeadline() throws Exception {
    RabbitTransport publishing =
        transport(cutter.proxiedUri(node.uri()))
            .heartbeat(Duration.ofSeconds(60))
            .publisher(PublisherSettings.defaults().withTimeout(Duration.ofSeconds(1)))
            .build();
    EventBus publisher = bus(publishing, null, DeliveryLedger.create());
    publisher.publishAndWait(new OrderPlaced("warm-up", 0));

    cutter.freeze();
    try {
      assertThatThrownBy(() -> publisher.publishAndWait(new OrderPlaced("frozen", 1)))
          .isInstanceOf(PublishNotConfirmedException.class)
          .hasMessageContaining("was not confirmed within PT1S");
      assertThat(publishing.status().outstandingConfirms()).isZero();
    } finally {
      cutter.unfreeze();
    }
  }

  @Test
  void twentyRecoveriesInARowLeaveTheSameNumberOfChannels() throws Exception {
    DeliveryLedger ledger = DeliveryLedger.create();
    // The health sampler keeps one channel of its own, re-opened at its next sample after a
    // recovery; sampling often keeps it in the counts.
    RabbitTransport transport =
        transport(cutter.proxiedUri(node.uri()))
            .connectionName("faults-channels")
            .healthCheckInterval(Duration.ofMillis(100))
            .build();
    EventBus bus = bus(transport, "channels", ledger);
    bus.publishAndWait(new OrderPlaced("first", 0));
    awaitLedger(ledger, report -> report.handled() == 1);
    TimeUnit.MILLISECONDS.sleep(500);
    int channelsAfterFirst = openChannels();

    for (int i = 1; i <= 20; i++) {
      long recoveries = transport.status().recoveries();
      cutter.cutAll();
      awaitStatus(
          transport,
          status ->
              status.recoveries() >= recoveries + 2
                  && status.publishing() == ConnectionState.CONNECTED
                  && status.consuming() == ConnectionState.CONNECTED);
      String id = publishUntilRoutable(bus, new OrderPlaced("cycle", i));
      ledger.recordPublished(id);
      ledger.recordConfirmed(id);
    }

    assertThat(ledger).within(SETTLE).lostNothing("channels");
    // The broker drops a cut connection's channels, and the sampler re-opens its own, a little
    // after the recovery: the count comes down to where it was, and a leaked channel keeps it up.
    Await.until(
        Duration.ofSeconds(30),
        BrokerFaultsIT::channels,
        open -> open.lines().count() == channelsAfterFirst,
        channelsAfterFirst + " open channels, as after the first event");
  }

  @Test
  void aFullBufferFailsAtOnceWhileTheBrokerIsUnreachableAndTheRestIsSentAfterwards()
      throws Exception {
    RabbitTransport transport =
        transport(cutter.proxiedUri(node.uri()))
            .publisher(
                PublisherSettings.defaults()
                    .withMaxBufferedEvents(10)
                    .withTimeout(Duration.ofSeconds(60)))
            .build();
    EventBus bus = bus(transport, null, DeliveryLedger.create());
    cutter.refuseNewConnections();
    cutter.cutAll();
    awaitStatus(transport, status -> status.publishing() == ConnectionState.RECOVERING);

    List<CompletableFuture<PublishReceipt>> waiting = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waiting.add(bus.publish(new OrderPlaced("buffered", i)).toCompletableFuture());
    }
    assertThatThrownBy(() -> bus.publishAndWait(new OrderPlaced("one-too-many", 10)))
        .isInstanceOf(PublishBufferFullException.class)
        .hasMessageContaining("publish buffer is full (10 events");
    assertThat(transport.status().bufferedEvents()).isEqualTo(10);
    assertThat(waiting).noneMatch(CompletableFuture::isDone);

    cutter.acceptNewConnections();
    CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertThat(transport.status().bufferedEvents()).isZero();
  }

  @Test
  void aConsumerTheBrokerCancelsComesBackByItself() throws Exception {
    DeliveryLedger ledger = DeliveryLedger.create();
    EventBus bus = bus(transport(node.uri()).build(), "cancelled", ledger);
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(node.uri());
    try (Connection admin = factory.newConnection("faults-admin");
        Channel channel = admin.createChannel()) {
      channel.queueDelete("cancelled");
    }

    String id = publishUntilRoutable(bus, new OrderPlaced("after-cancel", 1));
    ledger.recordPublished(id);
    ledger.recordConfirmed(id);

    assertThat(ledger).within(Duration.ofSeconds(30)).lostNothing("cancelled");
  }

  /** Publishes until a queue is bound again (a subscription being re-declared), then confirms. */
  private static String publishUntilRoutable(EventBus bus, OrderPlaced event) {
    Optional<String> id =
        Await.until(
            Duration.ofSeconds(30),
            () -> {
              try {
                return Optional.of(bus.publishAndWait(event).eventId());
              } catch (UnroutableEventException | PublishNotConfirmedException e) {
                return Optional.<String>empty();
              }
            },
            Optional::isPresent,
            "a routable, confirmed publish");
    return id.orElseThrow();
  }

  private static void awaitLedger(
      DeliveryLedger ledger, Predicate<DeliveryLedger.Report> condition) {
    Await.until(Duration.ofSeconds(60), () -> ledger.report(), condition, "a ledger report");
  }

  /** Channels open on the node, from {@code rabbitmqctl list_channels}. */
  private static int openChannels() {
    return (int) channels().lines().count();
  }

  /**
   * The channels open on the node, one a line: name (the connection's addresses and the channel's
   * number), consumers, confirm mode, and the name the client gave its connection.
   */
  private static String channels() {
    Map<String, String> clients = new HashMap<>();
    node.rabbitmqctl(
            "list_connections", "--no-table-headers", "--quiet", "pid", "client_properties")
        .lines()
        .filter(line -> !line.isBlank())
        .forEach(
            line -> {
              Matcher name = CONNECTION_NAME.matcher(line);
              clients.put(line.split("\\s+")[0], name.find() ? name.group(1) : "?");
            });
    return node.rabbitmqctl(
            "list_channels",
            "--no-table-headers",
            "--quiet",
            "connection",
            "name",
            "consumer_count",
            "confirm")
        .lines()
        .filter(line -> !line.isBlank())
        .map(line -> line + " " + clients.getOrDefault(line.split("\\s+")[0], "?"))
        .collect(Collectors.joining("\n"));
  }

  private static final Pattern CONNECTION_NAME =
      Pattern.compile("\"connection_name\",\"([^\"]*)\"");
}
