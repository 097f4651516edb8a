/**
 * A RabbitMQ broker for tests: {@link io.eventbus.testkit.broker.Brokers#provide()} tries, in
 * order, the URI in {@code EVENTBUS_TEST_AMQP_URI}, a broker answering on 127.0.0.1:5672, a
 * Testcontainers container where a Docker engine answers, and a {@link
 * io.eventbus.testkit.broker.PrivateRabbitNode} started from the installed {@code rabbitmq-server}.
 */
@NullMarked
package io.eventbus.testkit.broker;

import org.jspecify.annotations.NullMarked;
