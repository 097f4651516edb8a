package io.eventbus.rabbitmq;

import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.fault.ConnectionCutter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the fault ITs share: the {@link SharedPrivateNode}, and per test a {@link ConnectionCutter}
 * in front of it, an exchange of its own and the buses to close afterwards.
 */
abstract class PrivateNodeFaultTest {
  static PrivateRabbitNode node;

  private final String prefix;
  ConnectionCutter cutter;
  String exchange;
  final List<AutoCloseable> closeables = new ArrayList<>();

  /**
   * @param prefix of each test's exchange name
   */
  PrivateNodeFaultTest(String prefix) {
    this.prefix = prefix;
  }

  @BeforeAll
  static void startNode() {
    node = SharedPrivateNode.get();
  }

  @BeforeEach
  void startProxy() {
    cutter = ConnectionCutter.start(node.host(), node.port());
    exchange = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    if (cutter != null) {
      cutter.close();
    }
  }
}
