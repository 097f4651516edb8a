package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.eventbus.EventBusException;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.TlsVerificationException;
import io.eventbus.rabbitmq.internal.security.ConnectionSecurity;
import io.eventbus.spi.DeadLetter;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TransportAdmin;
import io.eventbus.spi.TransportSettings;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads dead-letter queues and deletes what a subscription declared, over a connection of its own,
 * by the names of the {@link RabbitTopology} the transport uses.
 */
final class RabbitAdmin implements TransportAdmin {
  private static final Logger log = LoggerFactory.getLogger(RabbitAdmin.class);

  private final Connection connection;
  private final RabbitTopology topology;

  private RabbitAdmin(Connection connection, RabbitTopology topology) {
    this.connection = connection;
    this.topology = topology;
  }

  static RabbitAdmin open(TransportSettings settings, RabbitTopology topology) {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      URI uri = new URI(settings.uri());
      factory.setUri(uri);
      factory.setConnectionTimeout((int) settings.connectTimeout().toMillis());
      factory.setAutomaticRecoveryEnabled(false);
      // The neutral settings carry no TLS settings: an amqps:// URI verifies against the JDK's.
      ConnectionSecurity.configure(factory, uri, null, null);
      return new RabbitAdmin(factory.newConnection(settings.connectionName() + "-admin"), topology);
    } catch (Exception e) {
      EventBusException failure =
          ConnectionSecurity.connectFailure(Redaction.uri(settings.uri()), e);
      if (failure instanceof TlsVerificationException) {
        throw failure;
      }
      throw new EventBusException(
          "Could not connect to "
              + Redaction.uri(settings.uri())
              + " for administration: "
              + Exceptions.describe(e),
          e);
    }
  }

  @Override
  public List<DeadLetter> deadLetters(String subscription) {
    String queue = topology.deadLetterQueue(subscription);
    List<DeadLetter> parked = new ArrayList<>();
    // Read without acknowledging on a channel of its own: closing it returns every message.
    try (Channel channel = connection.createChannel()) {
      for (GetResponse response = channel.basicGet(queue, false);
          response != null;
          response = channel.basicGet(queue, false)) {
        parked.add(
            new DeadLetter(
                subscription, AmqpMapping.wireMessage(response.getProps(), response.getBody())));
      }
    } catch (Exception e) {
      throw new EventBusException("Could not read " + queue + ": " + Exceptions.describe(e), e);
    }
    return parked;
  }

  @Override
  public void delete(SubscriptionSpec spec) {
    for (String queue : topology.queuesOf(spec)) {
      run("delete queue " + queue, channel -> channel.queueDelete(queue));
    }
    for (String exchange : topology.exchangesOf(spec)) {
      run("delete exchange " + exchange, channel -> channel.exchangeDelete(exchange));
    }
  }

  @Override
  public void deleteExchange() {
    run(
        "delete exchange " + topology.exchange(),
        channel -> channel.exchangeDelete(topology.exchange()));
    run(
        "delete exchange " + topology.requestExchange(),
        channel -> channel.exchangeDelete(topology.requestExchange()));
  }

  private interface Step {
    void run(Channel channel) throws Exception;
  }

  /** One channel per step: a refused step closes only its own channel. */
  private void run(String what, Step step) {
    try (Channel channel = connection.createChannel()) {
      step.run(channel);
    } catch (Exception e) {
      log.debug("Could not {}: {}", what, Exceptions.describe(e));
    }
  }

  @Override
  public void close() {
    try {
      if (connection.isOpen()) {
        connection.close();
      }
    } catch (Exception e) {
      log.debug("Admin connection did not close cleanly: {}", Exceptions.describe(e));
    }
  }
}
