package io.eventbus.rabbitmq;

import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.junit5.Requirements;

/**
 * One private node for the ITs of this module that stop, alarm, cut or re-configure users on a node
 * but leave it as they found it: starting a node costs seconds, many more on a loaded machine. Each
 * such test leaves the node running and without an alarm, and names what it declares (exchanges,
 * queues, users) uniquely. The node stops when the JVM ends. A test that changes the node for good
 * (its settings, its plugins) starts a node of its own.
 */
final class SharedPrivateNode {
  private static PrivateRabbitNode node;

  private SharedPrivateNode() {}

  /**
   * The node, started at the first call.
   *
   * @throws org.opentest4j.TestAbortedException (or a failure on CI) if rabbitmq-server is not
   *     installed
   */
  static synchronized PrivateRabbitNode get() {
    Requirements.require(
        "rabbitmq-server (for a private node)",
        PrivateRabbitNode.installation().isPresent(),
        "Install it with 'sudo apt-get install rabbitmq-server'.");
    if (node == null) {
      node = PrivateRabbitNode.start();
    }
    return node;
  }
}
